using Tyto.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Logs;

/// <summary>A page of stored log entries, newest first: every filter that is set must hold.</summary>
public sealed record LogQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public string? AgentId { get; init; }

    public LogSourceKind? Source { get; init; }

    public string? SourceName { get; init; }

    /// <summary>The levels kept; null or empty keeps every level.</summary>
    public IReadOnlySet<LogSeverity>? Levels { get; init; }

    /// <summary>Full text: words that must all occur, <c>"phrases"</c> and <c>prefix*</c>; see <see cref="LogSearchText"/>.</summary>
    public string? Text { get; init; }

    /// <summary>The oldest time kept, inclusive.</summary>
    public DateTime? From { get; init; }

    /// <summary>The newest time kept, inclusive.</summary>
    public DateTime? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    public int Offset { get; init; }
}

/// <summary>A stored log entry, with the stable id the API names it by (<c>log-…</c>) and the host it came from.</summary>
public sealed record StoredLogEntry(string Id, string AgentId, LogEntry Entry);

/// <summary>Log lines just stored, as they are published to the live clients of every node.</summary>
public sealed record StoredLogLines(IReadOnlyList<StoredLogEntry> Entries) : ITytoMessage;

/// <summary>One page of a <see cref="LogQuery"/>, and how many entries match it in all.</summary>
public sealed record LogPage(IReadOnlyList<StoredLogEntry> Entries, int Total);

/// <summary>The full-text part of a <see cref="LogQuery"/> cannot be searched for; the message says why, for the user.</summary>
public sealed class LogQueryException(string message) : Exception(message);
