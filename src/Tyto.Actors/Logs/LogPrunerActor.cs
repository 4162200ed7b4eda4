using Akka.Actor;
using Akka.Event;

namespace Tyto.Actors.Logs;

/// <summary>Deletes log entries past their retention or beyond the size kept, in the background, one pass at a time.</summary>
public sealed class LogPrunerActor : ReceiveActor, IWithTimers
{
    /// <summary>How often a pass runs; the first runs at start.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _pruning;

    public LogPrunerActor(LogStore store)
    {
        Receive<Prune>(_ =>
        {
            if (_pruning)
                return;
            _pruning = true;
            store.PruneAsync().PipeTo(Self, success: deleted => new Pruned(deleted));
        });
        Receive<Pruned>(pruned =>
        {
            _pruning = false;
            if (pruned.Deleted > 0)
                _log.Debug("Pruned {0} log entries past their retention or the size kept", pruned.Deleted);
        });
        Receive<Status.Failure>(failure =>
        {
            _pruning = false;
            _log.Warning(failure.Cause, "Pruning logs failed; the next pass tries again");
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("prune", Prune.Instance, TimeSpan.Zero, Interval);

    public static Props PropsFor(LogStore store) => Props.Create(() => new LogPrunerActor(store));

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }

    private sealed record Pruned(int Deleted);
}
