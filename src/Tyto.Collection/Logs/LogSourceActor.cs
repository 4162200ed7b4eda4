using Akka.Actor;
using Akka.Event;

namespace Tyto.Collection.Logs;

/// <summary>
/// What a log source read, for its store to keep with the position in one transaction (the server's log store, an
/// agent's outbox), so a restart resumes after the last entry kept: no line lost, none twice.
/// </summary>
public sealed record LogsRead(LogSourceKind Source, IReadOnlyList<LogEntry> Entries, string? Position);

/// <summary>
/// Reads one log source of a host (<see cref="ILogReader"/>) every <see cref="PollInterval"/>, and hands what it read
/// to its store, one batch at a time: the next read waits until the store took the last batch, so a slow store slows
/// the reading, and the source (the journal, the file, the container) holds what is not read yet. It starts from the
/// position its store kept. A position that moved without entries (files and containers first followed from their
/// end) is handed over too, alone, so a restart resumes there and not from the end again, past what was written
/// meanwhile. Reading is blocking I/O: the actor runs on the collectors' dispatcher.
/// </summary>
public sealed class LogSourceActor : ReceiveActor, IWithTimers
{
    /// <summary>The most entries in one batch.</summary>
    public const int BatchSize = 500;

    /// <summary>How often the source is read: a line written reaches the store within about this.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LogSourceKind _source;
    private readonly Func<Task<string?>> _loadPosition;
    private ILogReader? _reader;
    private bool _storing;
    /// <summary>The position the store kept last (or was asked to), as loaded or handed over.</summary>
    private string? _stored;
    private string? _problem;

    /// <param name="source">Which source of the host this is, and how to open its reader after a position.</param>
    /// <param name="loadPosition">The position the store kept for the source (null: none yet).</param>
    /// <param name="store">Keeps a batch with its position; completes when it did.</param>
    public LogSourceActor(LogSource source, Func<Task<string?>> loadPosition, Func<LogsRead, Task> store)
    {
        _source = source.Kind;
        _loadPosition = loadPosition;
        Receive<PositionLoaded>(loaded =>
        {
            _stored = loaded.Position;
            _reader = source.Open(loaded.Position);
            Timers.StartPeriodicTimer(nameof(ReadSource), ReadSource.Instance, PollInterval);
        });
        Receive<PositionNotLoaded>(failed =>
        {
            _log.Warning(failed.Cause, "Could not load where the {0} log source stopped; trying again in {1}", source.Key, RetryDelay);
            Timers.StartSingleTimer(nameof(LoadPosition), LoadPosition.Instance, RetryDelay);
        });
        Receive<LoadPosition>(_ => Load());
        Receive<ReadSource>(_ =>
        {
            if (_reader is null || _storing)
                return;
            var read = _reader.Read(BatchSize);
            ReportProblem(_reader.Problem);
            if (read.Entries.Count == 0 && read.Position == _stored)
                return;
            _storing = true;
            store(new LogsRead(source.Kind, read.Entries, read.Position))
                .PipeTo(Self, success: () => new Stored(read.Position, read.More), failure: cause => new NotStored(cause));
        });
        Receive<Stored>(stored =>
        {
            _storing = false;
            _stored = stored.Position;
            if (stored.More)
                Self.Tell(ReadSource.Instance);
        });
        Receive<NotStored>(failed =>
        {
            // A store that is going away refuses (the node or agent stops), or one that did not answer in time: the
            // batch may not be kept, so the source is opened again at the position kept with the last batch stored.
            _log.Debug("The {0} log source's batch was not stored: {1}", source.Key, failed.Cause.Message);
            _storing = false;
            _reader?.Dispose();
            _reader = null;
            Timers.Cancel(nameof(ReadSource));
            Timers.StartSingleTimer(nameof(LoadPosition), LoadPosition.Instance, RetryDelay);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(LogSource source, Func<Task<string?>> loadPosition, Func<LogsRead, Task> store) =>
        Props.Create(() => new LogSourceActor(source, loadPosition, store)).WithDispatcher(CollectorActor.Dispatcher);

    protected override void PreStart() => Load();

    protected override void PostStop() => _reader?.Dispose();

    private void Load() =>
        _loadPosition().PipeTo(Self, success: position => new PositionLoaded(position), failure: cause => new PositionNotLoaded(cause));

    /// <summary>A source that cannot be read (no journal, no Docker engine, a missing file) says so once per change, not every read.</summary>
    private void ReportProblem(string? problem)
    {
        if (problem == _problem)
            return;
        if (problem is null)
            _log.Info("The {0} log source is read again", LogNames.Name(_source));
        else
            _log.Info("The {0} log source is not read: {1}", LogNames.Name(_source), problem);
        _problem = problem;
    }

    private sealed record LoadPosition
    {
        public static readonly LoadPosition Instance = new();
    }

    private sealed record PositionLoaded(string? Position);

    private sealed record PositionNotLoaded(Exception Cause);

    private sealed record ReadSource
    {
        public static readonly ReadSource Instance = new();
    }

    private sealed record Stored(string? Position, bool More);

    private sealed record NotStored(Exception Cause);
}
