using Akka.Actor;
using Akka.Event;

namespace Tyto.Actors.Metrics;

/// <summary>Deletes history older than each resolution's retention, in the background, one pass at a time.</summary>
public sealed class HistoryPrunerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _interval;
    private bool _pruning;

    public HistoryPrunerActor(HistoryStore store)
    {
        _interval = store.Options.PruneInterval;
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
                _log.Debug("Pruned {0} history rows past their retention", pruned.Deleted);
        });
        Receive<Status.Failure>(failure =>
        {
            _pruning = false;
            _log.Warning(failure.Cause, "Pruning history failed; the next pass tries again");
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("prune", Prune.Instance, TimeSpan.Zero, _interval);

    public static Props PropsFor(HistoryStore store) => Props.Create(() => new HistoryPrunerActor(store));

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }

    private sealed record Pruned(int Deleted);
}
