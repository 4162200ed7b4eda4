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

    private const string Columns = "id, agent_id, ts, source, source_name, level, message, fields";

    public TytoOptions.LogsOptions Options => options.Value.Logs;

    public static void CreateTables(DataConnection db)
    {
        db.CreateTable<LogRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<LogPositionRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<LogBatchRecord>(tableOptions: TableOptions.CreateIfNotExists);
        // Newest first, by host or not: both read an index backwards (its rowid breaks ties) and never sort.
        db.Execute("CREATE INDEX IF NOT EXISTS ix_logs_agent_id_ts ON logs (agent_id, ts)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_logs_ts ON logs (ts)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_log_batches_stored_at ON log_batches (stored_at)");
        SqliteLogIndex.CreateIndex(db);
    }

    /// <summary>
    /// Writes the batches in one transaction: their entries, and the position of each source after them. A batch whose
    /// (agent, sequence) is stored already is skipped whole. Returns the number of entries stored.
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyList<LogBatch> batches, CancellationToken cancellationToken = default)
    {
        await using var db = await database.OpenHistoryWriterAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        var storedAt = HistoryTime.ToUnixMs(clock.GetUtcNow().UtcDateTime);
        var records = new List<LogRecord>();
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
            records.AddRange(batch.Entries.Select(entry => LogRecord.From(batch.AgentId, entry)));
            if (batch.Position is { } position)
                positions[(batch.AgentId, batch.SourceKey)] = position;
        }
        if (records.Count > 0)
            await db.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows }, records, cancellationToken);
        foreach (var ((agentId, sourceKey), position) in positions)
            await db.InsertOrReplaceAsync(new LogPositionRecord { AgentId = agentId, SourceKey = sourceKey, Position = position }, token: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return records.Count;
    }

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
        var (page, count, parameters) = Sql(query);
        await using var db = database.Open();
        var rows = await db.QueryToListAsync<LogRecord>(page, cancellationToken, parameters);
        var total = await db.ExecuteAsync<int>(count, cancellationToken, parameters);
        return new LogPage([.. rows.Select(r => r.ToStored())], total);
    }

    /// <summary>
    /// The statements of a query: its page (parameters <c>@limit</c> and <c>@offset</c> included) and its total. The
    /// total of a full-text search without other filters is counted from the index alone.
    /// </summary>
    internal static (string Page, string Count, DataParameter[] Parameters) Sql(LogQuery query)
    {
        var conditions = new List<string>();
        var parameters = new List<DataParameter>();
        void Add(string condition, string name, object value)
        {
            conditions.Add(condition);
            parameters.Add(new DataParameter(name, value));
        }
        if (query.AgentId is { } agentId)
            Add("agent_id = @agent_id", "agent_id", agentId);
        if (query.Source is { } source)
            Add("source = @source", "source", LogNames.Name(source));
        if (query.SourceName is { } sourceName)
            Add("source_name = @source_name", "source_name", sourceName);
        if (query.From is { } from)
            Add("ts >= @from", "from", HistoryTime.ToUnixMs(from));
        if (query.To is { } to)
            Add("ts <= @to", "to", HistoryTime.ToUnixMs(to));
        if (query.Levels is { Count: > 0 } levels)
        {
            var names = levels.Order().Select((level, i) => (Parameter: $"@level{i}", Name: LogNames.Name(level))).ToList();
            conditions.Add($"level IN ({string.Join(", ", names.Select(n => n.Parameter))})");
            parameters.AddRange(names.Select(n => new DataParameter(n.Parameter[1..], n.Name)));
        }
        var filtered = conditions.Count > 0;
        var terms = query.Text is { } text ? LogSearchText.Parse(text) : [];
        if (terms.Count > 0)
            Add($"id IN ({SqliteLogIndex.MatchingIds("@match")})", "match", SqliteLogIndex.Match(terms));
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var count = terms.Count > 0 && !filtered ? SqliteLogIndex.CountMatching("@match") : $"SELECT count(*) FROM logs{where}";
        parameters.Add(new DataParameter("limit", query.Limit));
        parameters.Add(new DataParameter("offset", query.Offset));
        return ($"SELECT {Columns} FROM logs{where} ORDER BY ts DESC, id DESC LIMIT @limit OFFSET @offset", count, [.. parameters]);
    }

    /// <summary>
    /// Deletes entries older than <see cref="TytoOptions.LogsOptions.Retention"/>, then the oldest while messages and
    /// fields take more than <see cref="TytoOptions.LogsOptions.MaxMb"/>, and forgets agents' batches as old as pruned
    /// entries; at most <see cref="PruneBatch"/> rows a statement. Returns the number of entries deleted.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = HistoryTime.ToUnixMs(clock.GetUtcNow().UtcDateTime - Options.Retention);
        var maxBytes = Options.MaxMb * 1024L * 1024L;
        await using var db = database.Open();
        var deleted = 0;
        int removed;
        do
        {
            removed = await db.ExecuteAsync(
                "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE ts < @cutoff ORDER BY ts LIMIT @batch)",
                cancellationToken, new DataParameter("cutoff", cutoff), new DataParameter("batch", PruneBatch));
            deleted += removed;
        }
        while (removed == PruneBatch);
        while (await db.ExecuteAsync<long>(SqliteLogIndex.UsageSql, cancellationToken) > maxBytes)
        {
            removed = await db.ExecuteAsync(
                "DELETE FROM logs WHERE id IN (SELECT id FROM logs ORDER BY ts, id LIMIT @batch)",
                cancellationToken, new DataParameter("batch", PruneBatch));
            if (removed == 0)
                break;
            deleted += removed;
        }
        do
        {
            removed = await db.ExecuteAsync(
                "DELETE FROM log_batches WHERE rowid IN (SELECT rowid FROM log_batches WHERE stored_at < @cutoff LIMIT @batch)",
                cancellationToken, new DataParameter("cutoff", cutoff), new DataParameter("batch", PruneBatch));
        }
        while (removed == PruneBatch);
        return deleted;
    }
}
