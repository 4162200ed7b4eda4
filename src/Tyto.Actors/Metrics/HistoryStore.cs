using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Microsoft.Extensions.Options;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Metrics;

/// <summary>Which resolution a history query is answered at, and how many points that gives.</summary>
/// <param name="Resolution">The resolution asked for, or the one chosen.</param>
/// <param name="Points">The points it gives, counted no further than just past the limit.</param>
/// <param name="TooMany">Whether that is more than <see cref="HistoryStore.MaxPoints"/>.</param>
/// <param name="Fits">When there are too many points: the finest resolution that stays within the limit, if any.</param>
public sealed record HistoryPlan(Resolution Resolution, int Points, bool TooMany, Resolution? Fits);

/// <summary>
/// The metrics history tables beside the journal: batched writes from the history writer, range queries,
/// the state a restarted writer resumes from, and retention. Buckets still filling live in memory and are
/// answered from there.
/// </summary>
public sealed class HistoryStore(TytoDatabase database, IOptions<TytoOptions> options, TimeProvider clock)
{
    /// <summary>The most points one history answer holds.</summary>
    public const int MaxPoints = 10_000;

    /// <summary>The most points an automatically chosen resolution gives.</summary>
    public const int AutoMaxPoints = 1_000;

    /// <summary>Rows read from the database at a time when points are read.</summary>
    private const int PageSize = 2_000;

    private readonly ConcurrentDictionary<(string AgentId, Resolution Resolution), HistoryPoint> _open = new();

    public TytoOptions.HistoryOptions Options => options.Value.History;

    public TimeProvider Clock => clock;

    public static void CreateTables(DataConnection db)
    {
        db.CreateTable<HistoryAgentRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<RawPointRecord>(tableOptions: TableOptions.CreateIfNotExists);
        foreach (var resolution in Resolution.Rollups)
            db.CreateTable<RollupRecord>(tableName: resolution.Table, tableOptions: TableOptions.CreateIfNotExists);
    }

    public TimeSpan RetentionOf(Resolution resolution)
    {
        var retention = Options.Retention;
        return resolution == Resolution.Raw ? retention.Raw
            : resolution == Resolution.OneMinute ? retention.OneMinute
            : resolution == Resolution.FiveMinutes ? retention.FiveMinutes
            : retention.OneHour;
    }

    /// <summary>Writes one batch in one transaction: new agents, raw points, closed buckets, late samples merged into theirs.</summary>
    public async Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken = default)
    {
        if (batch.IsEmpty)
            return;
        await using var db = await database.OpenHistoryWriterAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        if (batch.NewAgents.Count > 0)
        {
            var known = await db.GetTable<HistoryAgentRecord>().Where(a => batch.NewAgents.Contains(a.AgentId)).Select(a => a.AgentId).ToListAsync(cancellationToken);
            var firstSeen = HistoryTime.ToUnixMs(Now);
            await db.BulkCopyAsync(
                new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows },
                batch.NewAgents.Except(known).Select(agentId => new HistoryAgentRecord { AgentId = agentId, FirstSeen = firstSeen }),
                cancellationToken);
        }
        if (batch.Raw.Count > 0)
            await db.BulkCopyAsync(Bulk(Resolution.Raw), batch.Raw.Select(RawPointRecord.From), cancellationToken);
        foreach (var closed in batch.Closed.GroupBy(c => c.Resolution))
        {
            var stored = await StoredBucketsAsync(db, closed.Key, [.. closed.Select(c => c.Bucket)], cancellationToken);
            await db.BulkCopyAsync(
                Bulk(closed.Key),
                closed.Where(c => !stored.Contains((c.Bucket.AgentId, HistoryTime.ToUnixMs(c.Bucket.Timestamp)))).Select(c => RollupRecord.From(c.Bucket)),
                cancellationToken);
        }
        foreach (var (resolution, bucket) in batch.Late)
        {
            var at = HistoryTime.ToUnixMs(bucket.Timestamp);
            var stored = await Rollups(db, resolution).FirstOrDefaultAsync(r => r.AgentId == bucket.AgentId && r.Timestamp == at, cancellationToken);
            if (stored is null)
            {
                await db.InsertAsync(RollupRecord.From(bucket), tableName: resolution.Table, token: cancellationToken);
                continue;
            }
            var merged = stored.ToPoint();
            merged.Merge(bucket);
            await db.UpdateAsync(RollupRecord.From(merged), tableName: resolution.Table, token: cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Which of <paramref name="buckets"/> are stored already. In a cluster an agent that moved to another node leaves its
    /// open buckets on the old one, which closes them when they have been idle for the grace period; by then the new
    /// node, which rebuilt the same buckets from the stored raw points, has written them whole, and the old node's
    /// partial copies are left out.
    /// </summary>
    private static async Task<HashSet<(string AgentId, long Timestamp)>> StoredBucketsAsync(
        DataConnection db, Resolution resolution, IReadOnlyList<HistoryPoint> buckets, CancellationToken cancellationToken)
    {
        var agents = buckets.Select(b => b.AgentId).Distinct().ToList();
        var timestamps = buckets.Select(b => HistoryTime.ToUnixMs(b.Timestamp)).Distinct().ToList();
        var stored = await Rollups(db, resolution).Where(r => agents.Contains(r.AgentId) && timestamps.Contains(r.Timestamp))
            .Select(r => new { r.AgentId, r.Timestamp }).ToListAsync(cancellationToken);
        return [.. stored.Select(r => (r.AgentId, r.Timestamp))];
    }

    /// <summary>Which of <paramref name="points"/> the raw table holds already, by agent and Unix milliseconds.</summary>
    public async Task<IReadOnlySet<(string AgentId, long Timestamp)>> StoredAsync(IEnumerable<RawPoint> points, CancellationToken cancellationToken = default)
    {
        var stored = new HashSet<(string AgentId, long Timestamp)>();
        await using var db = database.Open();
        foreach (var agent in points.GroupBy(p => p.AgentId, StringComparer.Ordinal))
        {
            foreach (var chunk in agent.Select(p => HistoryTime.ToUnixMs(p.Timestamp)).Distinct().Chunk(500))
            {
                var found = await RawPoints(db).Where(r => r.AgentId == agent.Key && chunk.Contains(r.Timestamp)).Select(r => r.Timestamp).ToListAsync(cancellationToken);
                stored.UnionWith(found.Select(timestamp => (agent.Key, timestamp)));
            }
        }
        return stored;
    }

    /// <summary>Makes a bucket that is still filling visible to queries (null: it closed and is stored).</summary>
    public void PublishOpen(string agentId, Resolution resolution, HistoryPoint? bucket)
    {
        if (bucket is null)
            _open.TryRemove((agentId, resolution), out _);
        else
            _open[(agentId, resolution)] = bucket;
    }

    /// <summary>
    /// Where each agent's history stands (or only that of <paramref name="only"/>), for a writer that starts or an
    /// agent it had forgotten: see <see cref="RollupEngine.Restore"/>.
    /// </summary>
    public async Task<IReadOnlyList<AgentHistoryState>> LoadStatesAsync(IReadOnlyCollection<string>? only = null, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var agents = await db.GetTable<HistoryAgentRecord>().Where(a => only == null || only.Contains(a.AgentId)).Select(a => a.AgentId).ToListAsync(cancellationToken);
        var states = new List<AgentHistoryState>(agents.Count);
        foreach (var agentId in agents)
        {
            var lastSample = await RawPoints(db).Where(r => r.AgentId == agentId).MaxAsync(r => (long?)r.Timestamp, cancellationToken);
            var closedUntil = new Dictionary<Resolution, DateTime>();
            foreach (var resolution in Resolution.Rollups)
            {
                var newest = await Rollups(db, resolution).Where(r => r.AgentId == agentId).MaxAsync(r => (long?)r.Timestamp, cancellationToken);
                if (newest is { } ms)
                    closedUntil[resolution] = HistoryTime.FromUnixMs(ms) + resolution.Width;
            }
            var minutesClosedUntil = HistoryTime.ToUnixMs(closedUntil.GetValueOrDefault(Resolution.OneMinute, DateTime.UnixEpoch));
            var coarserClosedUntil = HistoryTime.ToUnixMs(Resolution.Rollups.Skip(1).Select(r => closedUntil.GetValueOrDefault(r, DateTime.UnixEpoch)).Min());
            var minutes = await Rollups(db, Resolution.OneMinute)
                .Where(r => r.AgentId == agentId && r.Timestamp >= coarserClosedUntil && r.Timestamp < minutesClosedUntil)
                .OrderBy(r => r.Timestamp).ToListAsync(cancellationToken);
            var raw = await RawPoints(db).Where(r => r.AgentId == agentId && r.Timestamp >= minutesClosedUntil).OrderBy(r => r.Timestamp).ToListAsync(cancellationToken);
            states.Add(new AgentHistoryState(
                agentId, lastSample is { } last ? HistoryTime.FromUnixMs(last) : null, closedUntil,
                [.. minutes.Select(r => r.ToPoint())], [.. raw.Select(r => r.ToPoint())]));
        }
        return states;
    }

    /// <summary>
    /// The resolution a query is answered at: the requested one, or (null) the finest that still holds
    /// <paramref name="from"/> and gives at most <see cref="AutoMaxPoints"/>; flagged when it gives more than <see cref="MaxPoints"/>.
    /// </summary>
    public async Task<HistoryPlan> PlanAsync(string agentId, DateTime from, DateTime to, Resolution? requested, CancellationToken cancellationToken = default)
    {
        var resolution = requested;
        if (resolution is null)
        {
            foreach (var candidate in Resolution.All)
            {
                if (Now - RetentionOf(candidate) <= from && await CountAsync(agentId, from, to, candidate, AutoMaxPoints, cancellationToken) <= AutoMaxPoints)
                {
                    resolution = candidate;
                    break;
                }
            }
            resolution ??= Resolution.All[^1];
        }
        var points = await CountAsync(agentId, from, to, resolution, MaxPoints, cancellationToken);
        if (points <= MaxPoints)
            return new HistoryPlan(resolution, points, false, null);
        Resolution? fits = null;
        foreach (var coarser in Resolution.All.SkipWhile(r => r != resolution).Skip(1))
        {
            if (await CountAsync(agentId, from, to, coarser, MaxPoints, cancellationToken) <= MaxPoints)
            {
                fits = coarser;
                break;
            }
        }
        return new HistoryPlan(resolution, points, true, fits);
    }

    /// <summary>
    /// How many points a range gives, counting no further than just past <paramref name="limit"/>: stored rows
    /// for raw, buckets in the range for rollups (whether or not they hold data).
    /// </summary>
    public async Task<int> CountAsync(string agentId, DateTime from, DateTime to, Resolution resolution, int limit, CancellationToken cancellationToken = default)
    {
        if (!resolution.IsRaw)
        {
            var buckets = (resolution.BucketOf(to.AddTicks(-1)) - resolution.BucketOf(from)).Ticks / resolution.Width.Ticks + 1;
            return (int)Math.Min(buckets, limit + 1L);
        }
        await using var db = database.Open();
        long start = HistoryTime.ToUnixMs(from), end = HistoryTime.ToUnixMs(to);
        return await RawPoints(db).Where(r => r.AgentId == agentId && r.Timestamp >= start && r.Timestamp < end).Take(limit + 1).CountAsync(cancellationToken);
    }

    /// <summary>
    /// The points of one agent from <paramref name="from"/> (for rollups, the bucket that holds it) until before
    /// <paramref name="to"/>, oldest first, read page by page as they are consumed; the bucket still filling comes last.
    /// </summary>
    public async IAsyncEnumerable<HistoryPoint> ReadAsync(
        string agentId, DateTime from, DateTime to, Resolution resolution, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Read the open bucket before the table: if it closes in between, the table has it and it is not repeated.
        var open = resolution.IsRaw ? null : _open.GetValueOrDefault((agentId, resolution));
        long next = HistoryTime.ToUnixMs(resolution.BucketOf(from)), end = HistoryTime.ToUnixMs(to);
        var last = long.MinValue;
        while (true)
        {
            // Pages rather than one open reader: a whole page is read in one go (a row-by-row async reader
            // costs several times the query), and no connection stays open while a slow client downloads.
            List<HistoryPoint> page;
            await using (var db = database.Open())
            {
                page = resolution.IsRaw
                    ? [.. (await RawPoints(db).Where(r => r.AgentId == agentId && r.Timestamp >= next && r.Timestamp < end)
                        .OrderBy(r => r.Timestamp).Take(PageSize).ToListAsync(cancellationToken)).Select(r => HistoryPoint.Of(r.ToPoint()))]
                    : [.. (await Rollups(db, resolution).Where(r => r.AgentId == agentId && r.Timestamp >= next && r.Timestamp < end)
                        .OrderBy(r => r.Timestamp).Take(PageSize).ToListAsync(cancellationToken)).Select(r => r.ToPoint())];
            }
            foreach (var point in page)
                yield return point;
            if (page.Count < PageSize)
                break;
            last = HistoryTime.ToUnixMs(page[^1].Timestamp);
            next = last + 1;
        }
        if (open is not null && HistoryTime.ToUnixMs(open.Timestamp) is var at && at >= next && at < end && at > last)
            yield return open;
    }

    /// <summary>The timestamps (Unix ms) of an agent's raw points from <paramref name="from"/> on, the oldest <paramref name="limit"/> of them.</summary>
    public async Task<IReadOnlySet<long>> RawTimestampsAsync(string agentId, DateTime from, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var start = HistoryTime.ToUnixMs(from);
        var timestamps = await RawPoints(db).Where(r => r.AgentId == agentId && r.Timestamp >= start)
            .OrderBy(r => r.Timestamp).Select(r => r.Timestamp).Take(limit).ToListAsync(cancellationToken);
        return timestamps.ToHashSet();
    }

    public async Task<IReadOnlyList<HistoryPoint>> QueryAsync(string agentId, DateTime from, DateTime to, Resolution resolution, CancellationToken cancellationToken = default)
    {
        var points = new List<HistoryPoint>();
        await foreach (var point in ReadAsync(agentId, from, to, resolution, cancellationToken))
            points.Add(point);
        return points;
    }

    /// <summary>Every per-mount and per-interface series with a value in the range, sorted: the columns of a CSV export.</summary>
    public async Task<IReadOnlyList<LabelledSeries>> LabelledSeriesAsync(
        string agentId, DateTime from, DateTime to, Resolution resolution, CancellationToken cancellationToken = default)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        long start = HistoryTime.ToUnixMs(resolution.BucketOf(from)), end = HistoryTime.ToUnixMs(to);
        await using var db = database.Open();
        var labelled = resolution.IsRaw
            ? RawPoints(db).Where(r => r.AgentId == agentId && r.Timestamp >= start && r.Timestamp < end && r.Labelled != null).Select(r => r.Labelled)
            : Rollups(db, resolution).Where(r => r.AgentId == agentId && r.Timestamp >= start && r.Timestamp < end && r.Labelled != null).Select(r => r.Labelled);
        await foreach (var json in labelled.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            using var document = JsonDocument.Parse(json!);
            foreach (var property in document.RootElement.EnumerateObject())
                keys.Add(property.Name);
        }
        if (!resolution.IsRaw && _open.GetValueOrDefault((agentId, resolution)) is { } open)
            keys.UnionWith(open.Labelled.Keys.Select(k => k.Key));
        return [.. keys.Select(LabelledSeries.Parse)];
    }

    /// <summary>
    /// Deletes what each resolution keeps no longer, agent by agent, in statements of at most
    /// <see cref="TytoOptions.HistoryOptions.PruneBatch"/> rows so the writer never waits long.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        var deleted = 0;
        await using var db = database.Open();
        var agents = await db.GetTable<HistoryAgentRecord>().Select(a => a.AgentId).ToListAsync(cancellationToken);
        foreach (var resolution in Resolution.All)
        {
            var cutoff = HistoryTime.ToUnixMs(now - RetentionOf(resolution));
            foreach (var agentId in agents)
            {
                int removed;
                do
                {
                    removed = await db.ExecuteAsync(
                        $"DELETE FROM {resolution.Table} WHERE agent_id = @agent AND ts IN " +
                        $"(SELECT ts FROM {resolution.Table} WHERE agent_id = @agent AND ts < @cutoff ORDER BY ts LIMIT @batch)",
                        cancellationToken,
                        new DataParameter("agent", agentId),
                        new DataParameter("cutoff", cutoff),
                        new DataParameter("batch", Options.PruneBatch));
                    deleted += removed;
                }
                while (removed == Options.PruneBatch);
            }
        }
        return deleted;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static BulkCopyOptions Bulk(Resolution resolution) =>
        new() { BulkCopyType = BulkCopyType.MultipleRows, TableName = resolution.Table };

    private static ITable<RawPointRecord> RawPoints(DataConnection db) => db.GetTable<RawPointRecord>();

    private static ITable<RollupRecord> Rollups(DataConnection db, Resolution resolution) => db.GetTable<RollupRecord>().TableName(resolution.Table);
}
