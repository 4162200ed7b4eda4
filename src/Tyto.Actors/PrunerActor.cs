using Akka.Actor;
using Akka.Event;

namespace Tyto.Actors;

/// <summary>
/// Deletes what a store keeps beyond its bounds (history past its retention, logs past their retention or size), in
/// the background, one pass at a time: the first at start, then one every interval.
/// </summary>
public sealed class PrunerActor : ReceiveActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _interval;
    private bool _pruning;

    /// <param name="what">What a pass deletes, for the log: "history rows", "log entries".</param>
    /// <param name="prune">One pass; the number of rows it deleted.</param>
    /// <param name="interval">The time between passes.</param>
    public PrunerActor(string what, Func<Task<int>> prune, TimeSpan interval)
    {
        _interval = interval;
        Receive<Prune>(_ =>
        {
            if (_pruning)
                return;
            _pruning = true;
            prune().PipeTo(Self, success: deleted => new Pruned(deleted));
        });
        Receive<Pruned>(pruned =>
        {
            _pruning = false;
            if (pruned.Deleted > 0)
                _log.Debug("Pruned {0} {1} beyond what is kept", pruned.Deleted, what);
        });
        Receive<Status.Failure>(failure =>
        {
            _pruning = false;
            _log.Warning(failure.Cause, "Pruning {0} failed; the next pass tries again", what);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("prune", Prune.Instance, TimeSpan.Zero, _interval);

    public static Props PropsFor(string what, Func<Task<int>> prune, TimeSpan interval) => Props.Create(() => new PrunerActor(what, prune, interval));

    private sealed record Prune
    {
        public static readonly Prune Instance = new();
    }

    private sealed record Pruned(int Deleted);
}
