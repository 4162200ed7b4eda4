using LinqToDB.Data;

namespace Tyto.Actors.Logs;

/// <summary>
/// Everything about logs that differs by database, behind the one <see cref="LogStore"/>: the full-text index of
/// messages and how <see cref="LogSearchTerm"/>s match it, the size counter kept in step with <c>logs</c>, the bulk
/// insert, the lookup of free ids, and the statements that need a database's own syntax.
/// </summary>
public abstract class LogIndex
{
    /// <summary>The bytes of messages and fields stored.</summary>
    public const string UsageSql = "SELECT bytes FROM log_usage";

    /// <summary>Creates the index, the size counter and what keeps them in step; <c>logs</c> exists already.</summary>
    public abstract void CreateIndex(DataConnection db);

    /// <summary>Inserts the records, with their ids set, and indexes their messages, in the transaction of <paramref name="db"/>.</summary>
    public abstract void Insert(DataConnection db, IReadOnlyList<LogRecord> records);

    /// <summary>
    /// For each of <paramref name="milliseconds"/>, the first free id: one past the last id stored in that millisecond.
    /// Called in the writing transaction, before <see cref="Insert"/>.
    /// </summary>
    public abstract Task<Dictionary<long, long>> NextIdsAsync(DataConnection db, IReadOnlyCollection<long> milliseconds, CancellationToken cancellationToken);

    /// <summary>The ids of the oldest entries, at most <c>@batch</c>, that together free at least <c>@excess</c> bytes of the size counted.</summary>
    public const string OldestFreeingSql = """
        SELECT id FROM (
            SELECT id, size, sum(size) OVER (ORDER BY id) AS freed
            FROM (SELECT id, octet_length(message) + coalesce(octet_length(fields), 0) AS size FROM logs ORDER BY id LIMIT @batch) oldest) counted
        WHERE freed - size < @excess
        """;

    /// <summary>Deletes at most <c>@batch</c> rows of <c>log_batches</c> stored before <c>@cutoff</c>.</summary>
    public abstract string PruneBatches { get; }

    /// <summary>The index joined to the entries (<c>l</c>) it matches.</summary>
    public abstract string MatchesJoined { get; }

    /// <summary>The index alone, for counting matches without reading the entries.</summary>
    public abstract string Matches { get; }

    /// <summary>The id of a match, in <see cref="MatchesJoined"/> and <see cref="Matches"/>.</summary>
    public abstract string MatchId { get; }

    /// <summary>The condition that the message matches the expression in the parameter <paramref name="parameter"/>.</summary>
    public abstract string Match(string parameter);

    /// <summary>
    /// The terms as the index's query syntax, all of them required, a prefix match for the prefix ones, and nothing the
    /// user typed an operator of that syntax.
    /// </summary>
    public abstract string Expression(IReadOnlyList<LogSearchTerm> terms);
}
