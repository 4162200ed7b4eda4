using System.Text;
using System.Text.Json;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;

namespace Tyto.Actors.Logs;

/// <summary>
/// Everything SQLite-specific about logs, in one place (<see cref="PostgresLogIndex"/> is PostgreSQL's): the FTS5
/// index of messages, filled a batch at a time by <see cref="Insert"/>, the size counter, the triggers that keep the
/// counter (and, on deletes, the index) in step with <c>logs</c>, <see cref="LogSearchTerm"/>s written as an FTS5
/// MATCH expression, how the index joins the entries, and the lookup of free ids.
/// </summary>
public sealed class SqliteLogIndex : LogIndex
{
    /// <summary>
    /// Contentless (the text lives in <c>logs</c> only) with deletes by rowid, so pruning never has to hand the old
    /// message back. The size counted is that of messages and fields in UTF-8: the same measure on every database,
    /// read in one row instead of scanning pages (SQLite's dbstat is not built into the bundled library).
    /// </summary>
    public override void CreateIndex(DataConnection db)
    {
        db.Execute("""
            CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(
                message, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')
            """);
        db.Execute("CREATE TABLE IF NOT EXISTS log_usage (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL)");
        db.Execute("INSERT OR IGNORE INTO log_usage (id, bytes) VALUES (1, 0)");
        // The insert trigger of earlier versions also indexed each line; Insert now indexes a batch in one statement.
        db.Execute("DROP TRIGGER IF EXISTS logs_inserted");
        db.Execute("""
            CREATE TRIGGER IF NOT EXISTS logs_counted AFTER INSERT ON logs BEGIN
                UPDATE log_usage SET bytes = bytes + octet_length(new.message) + coalesce(octet_length(new.fields), 0);
            END
            """);
        db.Execute("""
            CREATE TRIGGER IF NOT EXISTS logs_deleted AFTER DELETE ON logs BEGIN
                DELETE FROM logs_fts WHERE rowid = old.id;
                UPDATE log_usage SET bytes = bytes - octet_length(old.message) - coalesce(octet_length(old.fields), 0);
            END
            """);
    }

    /// <summary>
    /// Inserts the records, one prepared statement row by row, then indexes their messages in one statement: FTS5
    /// writes an index segment at the end of every statement that adds to it, so one segment a batch instead of one a
    /// line (half the cost of a line, with linq2db's multi-row insert the other half).
    /// </summary>
    public override void Insert(DataConnection db, IReadOnlyList<LogRecord> records)
    {
        var connection = (SqliteConnection)db.OpenDbConnection();
        using var insert = connection.CreateCommand();
        insert.Transaction = (SqliteTransaction?)db.Transaction;
        insert.CommandText = "INSERT INTO logs (id, agent_id, ts, source, source_name, level, message, fields) VALUES ($id, $agent, $ts, $source, $name, $level, $message, $fields)";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var agent = insert.Parameters.Add("$agent", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var source = insert.Parameters.Add("$source", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var level = insert.Parameters.Add("$level", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        var fields = insert.Parameters.Add("$fields", SqliteType.Text);
        insert.Prepare();
        foreach (var record in records)
        {
            id.Value = record.Id;
            agent.Value = record.AgentId;
            ts.Value = record.Timestamp;
            source.Value = record.Source;
            name.Value = record.SourceName;
            level.Value = record.Level;
            message.Value = record.Message;
            fields.Value = (object?)record.Fields ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
        using var index = connection.CreateCommand();
        index.Transaction = insert.Transaction;
        index.CommandText = "INSERT INTO logs_fts (rowid, message) SELECT id, message FROM logs WHERE id IN (SELECT value FROM json_each($ids))";
        index.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(records.Select(r => r.Id)));
        index.ExecuteNonQuery();
    }

    public override string PruneBatches =>
        "DELETE FROM log_batches WHERE rowid IN (SELECT rowid FROM log_batches WHERE stored_at < @cutoff LIMIT @batch)";

    /// <summary>
    /// The index joined to the entries it matches. CROSS JOIN keeps the index the outer loop in SQLite, so it hands
    /// matches out by id (newest first when so ordered) and a page stops once it is full.
    /// </summary>
    public override string MatchesJoined => "logs_fts CROSS JOIN logs l ON l.id = logs_fts.rowid";

    public override string Matches => "logs_fts";

    public override string MatchId => "logs_fts.rowid";

    public override string Match(string parameter) => $"logs_fts MATCH {parameter}";

    /// <summary>Each free id found by one seek, all in a single statement.</summary>
    public override async Task<Dictionary<long, long>> NextIdsAsync(DataConnection db, IReadOnlyCollection<long> milliseconds, CancellationToken cancellationToken)
    {
        var last = await db.QueryToListAsync(
            reader => (Ms: reader.GetInt64(0), Last: reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)),
            "SELECT ms.value, (SELECT id FROM logs WHERE id <= ms.value * @slots + @slots - 1 ORDER BY id DESC LIMIT 1) FROM json_each(@ms) ms",
            cancellationToken,
            new DataParameter("ms", JsonSerializer.Serialize(milliseconds)),
            new DataParameter("slots", LogIds.Slots));
        return last.ToDictionary(l => l.Ms, l => LogIds.FirstFree(l.Ms, l.Last));
    }

    /// <summary>
    /// The terms as an FTS5 expression: each one a string (so nothing the user typed is an FTS5 operator, column
    /// filter or bareword), a <c>*</c> after the prefix ones, all of them required.
    /// </summary>
    public override string Expression(IReadOnlyList<LogSearchTerm> terms)
    {
        var match = new StringBuilder();
        foreach (var term in terms)
        {
            if (match.Length > 0)
                match.Append(" AND ");
            match.Append('"').Append(term.Text.Replace("\"", "\"\"")).Append('"');
            if (term.Prefix)
                match.Append('*');
        }
        return match.ToString();
    }
}
