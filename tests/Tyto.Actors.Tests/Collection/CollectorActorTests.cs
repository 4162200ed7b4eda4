using Akka.Actor;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class CollectorActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_slow_source_has_one_reading_in_flight_and_rounds_meanwhile_get_the_last_one()
    {
        var source = new GatedCollector();
        var collector = Sys.ActorOf(Props.Create(() => new CollectorActor(source)));
        // The priming reading at start is in flight: a round now has nothing to answer with yet.
        AwaitCondition(() => source.Calls == 1, Patience);
        collector.Tell(new CollectReading(1, DateTime.UtcNow), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var primed = new DockerSection(true, []);
        source.Finish(primed);

        // Round 2 starts a new reading once the priming one is in (until then it is answered with nothing or that one).
        AwaitCondition(() =>
        {
            collector.Tell(new CollectReading(2, DateTime.UtcNow), TestActor);
            return source.Calls == 2;
        }, Patience);
        collector.Tell(new CollectReading(3, DateTime.UtcNow), TestActor);
        // Round 3 gets the priming reading at once, without another call to the source.
        FishForMessage<CollectorReading>(r => r.Round == 3, Patience);
        Assert.Equal(new CollectorReading(3, primed), LastMessage);
        Assert.Equal(2, source.Calls);
        // Round 2's own reading comes when the source answers.
        var fresh = new DockerSection(true, [new ContainerSample("41833a61eecb", "devbox", "webhost", "running", 1.5, 1000)]);
        source.Finish(fresh);
        FishForMessage<CollectorReading>(r => fresh.Equals(r.Section), Patience);
        Assert.Equal(new CollectorReading(2, fresh), LastMessage);
    }

    [Fact]
    public void A_reading_that_fails_tells_the_round_the_source_cannot_be_read()
    {
        var source = new GatedCollector();
        var collector = Sys.ActorOf(Props.Create(() => new CollectorActor(source)));
        AwaitCondition(() => source.Calls == 1, Patience);
        source.Finish(new DockerSection(true, []));

        AwaitCondition(() =>
        {
            collector.Tell(new CollectReading(2, DateTime.UtcNow), TestActor);
            return source.Calls == 2;
        }, Patience);
        source.Fail(new InvalidOperationException("the engine sent a list without ids"));

        FishForMessage<CollectorReading>(r => r.Section is DockerSection { Available: false }, Patience);
        Assert.Equal(new CollectorReading(2, new DockerSection(false, null, "failed: the engine sent a list without ids")), LastMessage);
        // The next round reads again.
        collector.Tell(new CollectReading(3, DateTime.UtcNow), TestActor);
        AwaitCondition(() => source.Calls == 3, Patience);
    }

    [Fact]
    public void Stopping_the_actor_disposes_its_collector()
    {
        var source = new GatedCollector();
        var collector = Sys.ActorOf(Props.Create(() => new CollectorActor(source)));
        Watch(collector);
        collector.Tell(PoisonPill.Instance);
        ExpectTerminated(collector, Patience);
        AwaitCondition(() => source.Disposed, Patience);
    }

    /// <summary>A source whose readings arrive when the test lets them, as a socket's answers do.</summary>
    private sealed class GatedCollector : ICollector, IDisposable
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource<ISampleSection> _pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Name => "docker";

        public int Calls => Volatile.Read(ref _calls);

        public bool Disposed { get; private set; }

        public ValueTask<ISampleSection> CollectAsync(DateTime at, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Interlocked.Increment(ref _calls);
                return new ValueTask<ISampleSection>(_pending.Task);
            }
        }

        public void Finish(ISampleSection section)
        {
            lock (_gate)
            {
                var finished = _pending;
                _pending = new TaskCompletionSource<ISampleSection>(TaskCreationOptions.RunContinuationsAsynchronously);
                finished.SetResult(section);
            }
        }

        public void Fail(Exception error)
        {
            lock (_gate)
            {
                var failed = _pending;
                _pending = new TaskCompletionSource<ISampleSection>(TaskCreationOptions.RunContinuationsAsynchronously);
                failed.SetException(error);
            }
        }

        public ISampleSection? Failed(Exception failure) => new DockerSection(false, null, $"failed: {failure.Message}");

        public void Dispose() => Disposed = true;
    }
}
