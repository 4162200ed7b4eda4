using System.Globalization;
using System.Text;
using LinqToDB.Data;
using Npgsql;
using NpgsqlTypes;

namespace Tyto.Actors.Logs;

/// <summary>
/// Everything PostgreSQL-specific about logs (<see cref="SqliteLogIndex"/> is SQLite's): a <c>tsvector</c> column
/// with a GIN index, filled with the words <see cref="LogSearchText.Words"/> finds (so both databases split, fold
/// and match text alike, whatever PostgreSQL's parser would make of paths, hosts or hyphens), the size counter
/// and the statement triggers that keep it in step, and ids handed out under a lock, as several nodes may write.
/// </summary>
public sealed class PostgresLogIndex : LogIndex
{
    /// <summary>The transaction advisory lock a log write takes before it looks up free ids ('tlog' in ASCII).</summary>
    private const long IdLock = 0x746C6F67;

    /// <summary>The most words of a message indexed: tsvector positions end at 16,383.</summary>
    private const int MaxWords = 16_383;

    /// <summary>The longest word a tsvector holds, in UTF-8 bytes; longer ones (no one searches for them) are left out.</summary>
    private const int MaxWordBytes = 2046;

    public override void CreateIndex(DataConnection db)
    {
        db.Execute("ALTER TABLE logs ADD COLUMN IF NOT EXISTS words tsvector NOT NULL DEFAULT ''");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_logs_words ON logs USING gin (words)");
        db.Execute("CREATE TABLE IF NOT EXISTS log_usage (id INTEGER PRIMARY KEY CHECK (id = 1), bytes BIGINT NOT NULL)");
        db.Execute("INSERT INTO log_usage (id, bytes) VALUES (1, 0) ON CONFLICT DO NOTHING");
        // Statement triggers with transition tables: one update of the counter a batch, not one a line.
        db.Execute("""
            CREATE OR REPLACE FUNCTION logs_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    UPDATE log_usage SET bytes = bytes + (SELECT coalesce(sum(octet_length(message) + coalesce(octet_length(fields), 0)), 0) FROM changed);
                ELSE
                    UPDATE log_usage SET bytes = bytes - (SELECT coalesce(sum(octet_length(message) + coalesce(octet_length(fields), 0)), 0) FROM changed);
                END IF;
                RETURN NULL;
            END
            $$
            """);
        db.Execute("""
            CREATE OR REPLACE TRIGGER logs_counted AFTER INSERT ON logs
            REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION logs_count()
            """);
        db.Execute("""
            CREATE OR REPLACE TRIGGER logs_deleted AFTER DELETE ON logs
            REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION logs_count()
            """);
    }

    /// <summary>Inserts the records in one statement, their columns as arrays, each message's words made a tsvector on the way.</summary>
    public override void Insert(DataConnection db, IReadOnlyList<LogRecord> records)
    {
        var connection = (NpgsqlConnection)db.OpenDbConnection();
        using var insert = connection.CreateCommand();
        insert.Transaction = (NpgsqlTransaction?)db.Transaction;
        insert.CommandText = """
            INSERT INTO logs (id, agent_id, ts, source, source_name, level, message, fields, words)
            SELECT id, agent_id, ts, source, source_name, level, message, fields, words::tsvector
            FROM unnest(@id, @agent, @ts, @source, @name, @level, @message, @fields, @words)
                AS r (id, agent_id, ts, source, source_name, level, message, fields, words)
            """;
        insert.Parameters.Add(new NpgsqlParameter<long[]>("id", [.. records.Select(r => r.Id)]));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("agent", [.. records.Select(r => r.AgentId)]));
        insert.Parameters.Add(new NpgsqlParameter<long[]>("ts", [.. records.Select(r => r.Timestamp)]));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("source", [.. records.Select(r => r.Source)]));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("name", [.. records.Select(r => r.SourceName)]));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("level", [.. records.Select(r => r.Level)]));
        insert.Parameters.Add(new NpgsqlParameter<string[]>("message", [.. records.Select(r => r.Message)]));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("fields", [.. records.Select(r => r.Fields)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("words", [.. records.Select(r => Vector(r.Message))]));
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// Waits for the other writers' transactions first: ids are free only until the transaction that takes them
    /// commits, and another node may be writing the same milliseconds.
    /// </summary>
    public override async Task<Dictionary<long, long>> NextIdsAsync(DataConnection db, IReadOnlyCollection<long> milliseconds, CancellationToken cancellationToken)
    {
        await db.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", cancellationToken, new DataParameter("key", IdLock));
        var connection = (NpgsqlConnection)db.OpenDbConnection();
        await using var next = connection.CreateCommand();
        next.Transaction = (NpgsqlTransaction?)db.Transaction;
        next.CommandText = "SELECT ms, (SELECT id FROM logs WHERE id <= ms * @slots + (@slots - 1) ORDER BY id DESC LIMIT 1) FROM unnest(@ms) AS ms";
        next.Parameters.Add(new NpgsqlParameter<long[]>("ms", [.. milliseconds]));
        next.Parameters.Add(new NpgsqlParameter<long>("slots", LogIds.Slots));
        var free = new Dictionary<long, long>();
        await using var reader = await next.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ms = reader.GetInt64(0);
            free[ms] = LogIds.FirstFree(ms, reader.IsDBNull(1) ? null : reader.GetInt64(1));
        }
        return free;
    }

    public override string PruneBatches =>
        "DELETE FROM log_batches WHERE (agent_id, seq) IN (SELECT agent_id, seq FROM log_batches WHERE stored_at < @cutoff LIMIT @batch)";

    public override string MatchesJoined => "logs l";

    public override string Matches => "logs l";

    public override string MatchId => "l.id";

    public override string Match(string parameter) => $"l.words @@ CAST({parameter} AS tsquery)";

    /// <summary>
    /// The terms as a <c>tsquery</c>: each word a quoted lexeme (so nothing typed is an operator), the words of a
    /// phrase followed by one another (<c>&lt;-&gt;</c>), <c>:*</c> after the last word of a prefix term, terms joined
    /// by <c>&amp;</c>. Cast rather than parsed, so the lexemes are exactly the words <see cref="Vector"/> indexed.
    /// </summary>
    public override string Expression(IReadOnlyList<LogSearchTerm> terms) =>
        string.Join(" & ", terms.Select(term =>
        {
            var words = LogSearchText.Words(term.Text);
            return string.Join(" <-> ", words.Select((word, i) => Lexeme(word) + (term.Prefix && i == words.Count - 1 ? ":*" : "")));
        }));

    /// <summary>The words of a message as a <c>tsvector</c> literal, each at its position, so phrases match.</summary>
    private static string Vector(string message)
    {
        var vector = new StringBuilder();
        var words = LogSearchText.Words(message);
        for (var i = 0; i < Math.Min(words.Count, MaxWords); i++)
        {
            if (Encoding.UTF8.GetByteCount(words[i]) > MaxWordBytes)
                continue;
            if (vector.Length > 0)
                vector.Append(' ');
            vector.Append(Lexeme(words[i])).Append(':').Append(CultureInfo.InvariantCulture, $"{i + 1}");
        }
        return vector.ToString();
    }

    /// <summary>A word quoted as a lexeme: in quotes, with quotes and backslashes escaped.</summary>
    private static string Lexeme(string word) => "'" + word.Replace("\\", "\\\\").Replace("'", "''") + "'";
}
