using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Collection;

/// <summary>
/// Assembles one <see cref="MetricsSample"/> per tick from the readings of a host's collectors and pushes it
/// into the metrics stream. A collector that has not answered by the next tick keeps its previous section.
/// </summary>
public sealed class SamplerActor : ReceiveActor, IWithTimers
{
    private readonly string _agentId;
    private readonly IReadOnlyList<IActorRef> _collectors;
    private readonly Sink<MetricsSample, NotUsed> _output;
    private TimeSpan _interval;
    private IActorRef _publisher = ActorRefs.Nobody;
    private MetricsSample? _previous;
    private MetricsSample? _pending;
    private int _awaiting;
    private long _round;
    private DateTime _roundStartedAt = DateTime.MinValue;

    public SamplerActor(string agentId, IReadOnlyList<IActorRef> collectors, Sink<MetricsSample, NotUsed> output, TimeSpan interval)
    {
        _agentId = agentId;
        _collectors = collectors;
        _output = output;
        _interval = interval;

        Receive<Tick>(_ => StartRound());
        Receive<CollectorReading>(reading => reading.Round == _round && _pending is not null, reading =>
        {
            _pending = _pending!.With(reading.Section);
            if (--_awaiting == 0)
                Publish();
        });
        Receive<CollectorReading>(_ => { });
        Receive<ChangeSampleInterval>(change =>
        {
            if (change.Interval == _interval)
                return;
            _interval = change.Interval;
            Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, _interval);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // Samples are only worth their latest value: if the stream is slow, the oldest waiting one is dropped.
        // The stream lives and dies with this actor; the hub simply loses one producer when it stops.
        _publisher = Source.ActorRef<MetricsSample>(4, OverflowStrategy.DropHead)
            .To(_output)
            .Run(Context.Materializer());
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, TimeSpan.Zero, _interval);
    }

    private void StartRound()
    {
        var at = DateTime.UtcNow.TruncateToMillisecond();
        // Ticks that queued up while the actor was starved arrive together: one round stands for them all.
        if (at - _roundStartedAt < _interval / 2)
            return;
        _roundStartedAt = at;
        if (_pending is not null)
            Publish();
        _round++;
        _pending = _previous is null ? MetricsSample.Empty(_agentId, at) : _previous with { Timestamp = at };
        _awaiting = _collectors.Count;
        foreach (var collector in _collectors)
            collector.Tell(new CollectReading(_round, at));
    }

    private void Publish()
    {
        _publisher.Tell(_pending);
        _previous = _pending;
        _pending = null;
    }

    public static Props PropsFor(string agentId, IReadOnlyList<IActorRef> collectors, Sink<MetricsSample, NotUsed> output, TimeSpan interval) =>
        Props.Create(() => new SamplerActor(agentId, collectors, output, interval));

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
