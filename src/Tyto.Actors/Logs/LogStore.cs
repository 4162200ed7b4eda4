using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Microsoft.Extensions.Options;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Logs;

/// <summary>
/// The log tables beside the journal: batches of entries written with their sources' positions in one transaction,
/// pages of entries newest first with full-text search, and retention by age and by size.
/// </summary>
public sealed class LogStore(TytoDatabase database, IOptions<TytoOptions> options, TimeProvider clock)
{
    /// <summary>The most rows one pruning statement deletes, so writers and readers never wait long.</summary>
    public const int PruneBatch = 1000;

    /// <summary>How often the log pruner runs a pass; the first runs at start.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private const string Columns = "l.id, l.agent_id, l.ts, l.source, l.source_name, l.level, l.message, l.fields";

    public TytoOptions.LogsOptions Options => options.Value.Logs;

    public TimeProvider Clock => clock;

    public static void CreateTables(DataConnection db, LogIndex index)
    {
        db.CreateTable<LogRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<LogPositionRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<LogBatchRecord>(tableOptions: TableOptions.CreateIfNotExists);
        // Ordered by host, then by id (time): one host's entries newest first read it backwards and never sort.
        db.Execute("CREATE INDEX IF NOT EXISTS ix_logs_agent_id ON logs (agent_id)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_log_batches_stored_at ON log_batches (stored_at)");
        index.CreateIndex(db);
    }

    /// <summary>
    /// Writes the batches in one transaction: their entries, and the position of each source after them. A batch whose
    /// (agent, sequence) is stored already is skipped whole. Returns the entries stored, as a query reads them back, in the order given.
    /// </summary>
    public async Task<IReadOnlyList<StoredLogEntry>> WriteAsync(IReadOnlyList<LogBatch> batches, CancellationToken cancellationToken = default)
    {
        await using var db = await database.OpenHistoryWriterAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        var storedAt = HistoryTime.ToUnixMs(clock.GetUtcNow().UtcDateTime);
        var records = new List<(LogRecord Record, LogEntry Entry)>();
        var positions = new Dictionary<(string AgentId, string SourceKey), string>();
        var sequenced = db.GetTable<LogBatchRecord>();
        foreach (var batch in batches)
        {
            if (batch.Seq is { } seq)
            {
                if (await sequenced.AnyAsync(b => b.AgentId == batch.AgentId && b.Seq == seq, cancellationToken))
                    continue;
                await db.InsertAsync(new LogBatchRecord { AgentId = batch.AgentId, Seq = seq, StoredAt = storedAt }, token: cancellationToken);
            }
            records.AddRange(batch.Entries.Select(entry => (LogRecord.From(batch.AgentId, entry), entry)));
            if (batch.Position is { } position)
                positions[(batch.AgentId, batch.SourceKey)] = position;
        }
        if (records.Count > 0)
        {
            var next = await database.LogIndex.NextIdsAsync(db, [.. records.Select(r => LogIds.Millisecond(r.Record.Timestamp)).Distinct()], cancellationToken);
            foreach (var (record, _) in records)
            {
                var ms = LogIds.Millisecond(record.Timestamp);
                record.Id = next[ms]++;
                if (record.Id > LogIds.Last(ms))
                    throw new InvalidOperationException($"More than {LogIds.Slots} log entries at {HistoryTime.FromUnixMs(ms):O}: the batch is refused.");
            }
            database.LogIndex.Insert(db, [.. records.Select(r => r.Record)]);
        }
        foreach (var ((agentId, sourceKey), position) in positions)
            await db.InsertOrReplaceAsync(new LogPositionRecord { AgentId = agentId, SourceKey = sourceKey, Position = position }, token: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. records.Select(r => new StoredLogEntry(LogIds.Format(r.Record.Id), r.Record.AgentId, AsStored(r.Entry, r.Record.Timestamp)))];
    }

    /// <summary>The entry as a query reads it back: its time to the millisecond.</summary>
    private static LogEntry AsStored(LogEntry entry, long unixMs) =>
        entry.Timestamp.Ticks % TimeSpan.TicksPerMillisecond == 0 && entry.Timestamp.Kind == DateTimeKind.Utc
            ? entry
            : entry with { Timestamp = HistoryTime.FromUnixMs(unixMs) };

    /// <summary>Where the source <paramref name="sourceKey"/> of <paramref name="agentId"/> resumes, if it stored a position.</summary>
    public async Task<string?> PositionAsync(string agentId, string sourceKey, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        return await db.GetTable<LogPositionRecord>()
            .Where(p => p.AgentId == agentId && p.SourceKey == sourceKey)
            .Select(p => p.Position)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>A page of the entries that match <paramref name="query"/>, newest first, and how many match in all.</summary>
    /// <exception cref="LogQueryException">Its full text cannot be searched for.</exception>
    public async Task<LogPage> QueryAsync(LogQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, LogQuery.MaxLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        var (page, count, parameters) = Sql(query, database.LogIndex);
        await using var db = database.Open();
        var rows = await db.QueryToListAsync<LogRecord>(page, cancellationToken, parameters);
        var total = await db.ExecuteAsync<int>(count, cancellationToken, parameters);
        return new LogPage([.. rows.Select(r => r.ToStored())], total);
    }

    /// <summary>
    /// The statements of a query: its page (parameters <c>@limit</c> and <c>@offset</c> included) and its total.
    /// Times are ranges of ids; a full-text search reads the index first, and counts from it alone when no other
    /// filter needs the entries.
    /// </summary>
    internal static (string Page, string Count, DataParameter[] Parameters) Sql(LogQuery query, LogIndex index)
    {
        var terms = query.Text is { } text ? LogSearchText.Parse(text) : [];
        var searched = terms.Count > 0;
        var id = searched ? index.MatchId : "l.id";
        var onIds = new List<string>();
        var onEntries = new List<string>();
        var parameters = new List<DataParameter>();
        void Add(List<string> conditions, string condition, string name, object value)
        {
            conditions.Add(condition);
            parameters.Add(new DataParameter(name, value));
        }
        if (searched)
            Add(onIds, index.Match("@match"), "match", index.Expression(terms));
        if (query.From is { } from)
            Add(onIds, $"{id} >= @from", "from", LogIds.First(HistoryTime.ToUnixMs(from)));
        if (query.To is { } to)
            Add(onIds, $"{id} <= @to", "to", LogIds.Last(HistoryTime.ToUnixMs(to)));
        if (query.AgentId is { } agentId)
            Add(onEntries, "l.agent_id = @agent_id", "agent_id", agentId);
        if (query.Source is { } source)
            Add(onEntries, "l.source = @source", "source", LogNames.Name(source));
        if (query.SourceName is { } sourceName)
            Add(onEntries, "l.source_name = @source_name", "source_name", sourceName);
        if (query.Levels is { Count: > 0 } levels)
        {
            var names = levels.Order().Select((level, i) => (Parameter: $"@level{i}", Name: LogNames.Name(level))).ToList();
            onEntries.Add($"l.level IN ({string.Join(", ", names.Select(n => n.Parameter))})");
            parameters.AddRange(names.Select(n => new DataParameter(n.Parameter[1..], n.Name)));
        }
        parameters.Add(new DataParameter("limit", query.Limit));
        parameters.Add(new DataParameter("offset", query.Offset));
        var entries = searched ? index.MatchesJoined : "logs l";
        var where = Where([.. onIds, .. onEntries]);
        var count = searched && onEntries.Count == 0
            ? $"SELECT count(*) FROM {index.Matches}{Where(onIds)}"
            : $"SELECT count(*) FROM {entries}{where}";
        return ($"SELECT {Columns} FROM {entries}{where} ORDER BY {id} DESC LIMIT @limit OFFSET @offset", count, [.. parameters]);
    }

    private static string Where(List<string> conditions) => conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    /// <summary>
    /// Deletes entries older than <see cref="TytoOptions.LogsOptions.Retention"/>, then the oldest while messages and
    /// fields take more than <see cref="TytoOptions.LogsOptions.MaxMb"/>, and forgets agents' batches as old as pruned
    /// entries; at most <see cref="PruneBatch"/> rows a statement. Returns the number of entries deleted.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = HistoryTime.ToUnixMs(clock.GetUtcNow().UtcDateTime - Options.Retention);
        var cutoffId = LogIds.First(cutoff);
        var index = database.LogIndex;
        var maxBytes = Options.MaxMb * 1024L * 1024L;
        await using var db = database.Open();
        var deleted = 0;
        int removed;
        do
        {
            removed = await db.ExecuteAsync(
                "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE id < @cutoff ORDER BY id LIMIT @batch)",
                cancellationToken, new DataParameter("cutoff", cutoffId), new DataParameter("batch", PruneBatch));
            deleted += removed;
        }
        while (removed == PruneBatch);
        long excess;
        while ((excess = await db.ExecuteAsync<long>(LogIndex.UsageSql, cancellationToken) - maxBytes) > 0)
        {
            removed = await db.ExecuteAsync(
                $"DELETE FROM logs WHERE id IN ({LogIndex.OldestFreeingSql})",
                cancellationToken, new DataParameter("batch", PruneBatch), new DataParameter("excess", excess));
            if (removed == 0)
                break;
            deleted += removed;
        }
        do
        {
            removed = await db.ExecuteAsync(
                index.PruneBatches,
                cancellationToken, new DataParameter("cutoff", cutoff), new DataParameter("batch", PruneBatch));
        }
        while (removed == PruneBatch);
        return deleted;
    }
}
