namespace Tyto.Collection.Logs;

/// <summary>What a reader handed out: entries oldest first, where to resume after them, and whether more are waiting.</summary>
/// <param name="Entries">Up to the number asked for.</param>
/// <param name="Position">
/// The reader's position after the last of <see cref="Entries"/>, to be stored with them and given back to a new reader;
/// null while the reader has none yet.
/// </param>
/// <param name="More">True when the reader stopped at the number asked for: read again at once.</param>
public sealed record LogRead(IReadOnlyList<LogEntry> Entries, string? Position, bool More);

/// <summary>
/// One log source of a host (the journal, the watched files, the containers), read by its <c>LogSourceActor</c> on a
/// timer. Reading never throws for a missing or unreadable source: it reports a <see cref="Problem"/> instead.
/// </summary>
public interface ILogReader : IDisposable
{
    LogSourceKind Kind { get; }

    /// <summary>Why the source is not read right now (in words, for operators), or null while it is.</summary>
    string? Problem { get; }

    /// <summary>Up to <paramref name="max"/> entries not handed out before; blocking I/O, for a dedicated dispatcher.</summary>
    LogRead Read(int max);
}
