using System.Text.Json;
using LinqToDB;
using LinqToDB.Mapping;
using Tyto.Actors.Metrics;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Logs;

/// <summary>A row of <c>logs</c>: one line of one host, with its full-text index entry kept in step by the database.</summary>
[Table("logs")]
public sealed class LogRecord
{
    /// <summary>
    /// The entry's time and its slot within that millisecond (see <see cref="LogIds"/>); the API's id is <c>log-</c> and
    /// this. SQLite's INTEGER (64 bits there) makes it the rowid, which the FTS5 index refers to.
    /// </summary>
    [Column("id", DbType = "INTEGER", Configuration = ProviderName.SQLite), Column("id"), PrimaryKey]
    public long Id { get; set; }

    [Column("agent_id", Length = 64), NotNull]
    public string AgentId { get; set; } = "";

    /// <summary>Unix milliseconds.</summary>
    [Column("ts"), NotNull]
    public long Timestamp { get; set; }

    /// <summary>The API's name of the source kind: <c>journal</c>, <c>file</c>, <c>docker</c>.</summary>
    [Column("source", Length = 16), NotNull]
    public string Source { get; set; } = "";

    [Column("source_name", DataType = DataType.Text), NotNull]
    public string SourceName { get; set; } = "";

    /// <summary>The API's name of the level: <c>emerg</c> … <c>debug</c>.</summary>
    [Column("level", Length = 16), NotNull]
    public string Level { get; set; } = "";

    [Column("message", DataType = DataType.Text), NotNull]
    public string Message { get; set; } = "";

    /// <summary>The entry's fields as a JSON object of strings; null when it has none.</summary>
    [Column("fields", DataType = DataType.Text), Nullable]
    public string? Fields { get; set; }

    public static LogRecord From(string agentId, LogEntry entry) => new()
    {
        AgentId = agentId,
        Timestamp = HistoryTime.ToUnixMs(entry.Timestamp),
        Source = LogNames.Name(entry.Source),
        SourceName = entry.SourceName,
        Level = LogNames.Name(entry.Level),
        Message = entry.Message,
        Fields = entry.Fields.Count == 0 ? null : JsonSerializer.Serialize(entry.Fields),
    };

    public StoredLogEntry ToStored() => new(
        LogIds.Format(Id),
        AgentId,
        new LogEntry(
            HistoryTime.FromUnixMs(Timestamp),
            Enum.Parse<LogSourceKind>(Source, ignoreCase: true),
            SourceName,
            Enum.Parse<LogSeverity>(Level, ignoreCase: true),
            Message,
            Fields is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(Fields)!));
}

/// <summary>A row of <c>log_positions</c>: where one source of one host resumes, stored with the entries read before it.</summary>
[Table("log_positions")]
public sealed class LogPositionRecord
{
    [Column("agent_id", Length = 64), PrimaryKey(0), NotNull]
    public string AgentId { get; set; } = "";

    [Column("source_key", Length = 64), PrimaryKey(1), NotNull]
    public string SourceKey { get; set; } = "";

    [Column("position", DataType = DataType.Text), NotNull]
    public string Position { get; set; } = "";
}

/// <summary>A row of <c>log_batches</c>: an agent's outbox batch that is stored, so a resent one is skipped.</summary>
[Table("log_batches")]
public sealed class LogBatchRecord
{
    [Column("agent_id", Length = 64), PrimaryKey(0), NotNull]
    public string AgentId { get; set; } = "";

    [Column("seq"), PrimaryKey(1)]
    public long Seq { get; set; }

    /// <summary>When it was stored (Unix milliseconds), so it is forgotten once entries that old are pruned.</summary>
    [Column("stored_at"), NotNull]
    public long StoredAt { get; set; }
}
