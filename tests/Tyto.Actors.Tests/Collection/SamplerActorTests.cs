using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Tyto.Actors.Metrics;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

/// <summary>Cadence tests run alone, so that a busy build machine's other tests do not slow their ticks.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Timing sensitive";
}

[Collection(TimingSensitive.Name)]
public sealed class SamplerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private const string AgentId = "bigiron";
    private const string StreamDone = "stream done";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private static readonly MemorySection BigIronMemory = MemoryCollector.Parse(Fixtures.Read(Fixtures.HostBigIron, "proc/meminfo"));

    [Fact]
    public void Publishes_a_sample_per_tick_with_every_collectors_section_and_follows_a_new_interval()
    {
        var samples = CreateTestProbe();
        var bigIron = Fixtures.Root(Fixtures.HostBigIron);
        var sampler = StartSampler(samples, TimeSpan.FromMilliseconds(300), Collector(new MemoryCollector(bigIron)), Collector(new SystemCollector(bigIron)));

        var first = samples.ExpectMsg<MetricsSample>(Patience);
        Assert.Equal(AgentId, first.AgentId);
        Assert.Equal(BigIronMemory, first.Memory);
        Assert.Equal("bigiron01", first.System.Hostname);
        // No collector for the CPU: its section stays empty.
        Assert.Equal(CpuSection.Empty, first.Cpu);

        // 300 ms ticks: about ten samples in three seconds.
        var fast = samples.ReceiveWhile<MetricsSample>(_ => true, Window);
        Assert.InRange(fast.Count, 6, 14);
        Assert.All(fast, s => Assert.Equal(BigIronMemory, s.Memory));
        Assert.Equal(fast.Select(s => s.Timestamp).Order(), fast.Select(s => s.Timestamp));
        Assert.Equal(fast.Count, fast.Select(s => s.Timestamp).Distinct().Count());

        sampler.Tell(new ChangeSampleInterval(TimeSpan.FromSeconds(1)));
        // One sample may already be on its way at the old pace.
        samples.ExpectMsg<MetricsSample>(Patience);
        var slow = samples.ReceiveWhile<MetricsSample>(_ => true, Window);
        Assert.InRange(slow.Count, 1, 4);
    }

    [Fact]
    public void A_collector_that_misses_its_round_keeps_its_previous_section_and_a_late_reading_is_ignored()
    {
        var samples = CreateTestProbe();
        var cpu = CreateTestProbe();
        StartSampler(samples, TimeSpan.FromSeconds(1), Collector(new MemoryCollector(Fixtures.Root(Fixtures.HostBigIron))), cpu.Ref);
        var busy = new CpuSection([new CpuCore(0, 90, 3000)], 90, new LoadAverage(1, 1, 1));
        var idle = new CpuSection([new CpuCore(0, 5, 1200)], 5, new LoadAverage(0.1, 0.1, 0.1));
        var late = new CpuSection([new CpuCore(0, 50, 2000)], 50, new LoadAverage(0.5, 0.5, 0.5));

        var round1 = cpu.ExpectMsg<CollectReading>(Patience);
        cpu.Reply(new CollectorReading(round1.Round, busy));
        var sample1 = samples.ExpectMsg<MetricsSample>(Patience);
        Assert.Equal(round1.At, sample1.Timestamp);
        Assert.Equal(busy, sample1.Cpu);

        // Round 2 gets no answer from the CPU collector: its sample goes out when round 3 starts.
        var round2 = cpu.ExpectMsg<CollectReading>(Patience);
        var round3 = cpu.ExpectMsg<CollectReading>(Patience);
        var sample2 = samples.ExpectMsg<MetricsSample>(Patience);
        Assert.Equal(round2.At, sample2.Timestamp);
        Assert.Equal(busy, sample2.Cpu);
        Assert.Equal(BigIronMemory, sample2.Memory);

        cpu.Reply(new CollectorReading(round2.Round, late));
        cpu.Reply(new CollectorReading(round3.Round, idle));
        var sample3 = samples.ExpectMsg<MetricsSample>(Patience);
        Assert.Equal(round3.At, sample3.Timestamp);
        Assert.Equal(idle, sample3.Cpu);
    }

    [Fact]
    public void Live_stream_outlives_a_sampler_that_stops_and_carries_the_next_ones_samples()
    {
        var hub = MetricsHub.Get(Sys);
        var samples = CreateTestProbe();
        hub.Samples.RunWith(Sink.ActorRef<MetricsSample>(samples.Ref, StreamDone, failure => new Status.Failure(failure)), Sys.Materializer());
        var memory = Collector(new MemoryCollector(Fixtures.Root(Fixtures.HostBigIron)));
        var first = Sys.ActorOf(SamplerActor.PropsFor("first", [memory], hub.Ingest, TimeSpan.FromMilliseconds(300)));
        samples.FishForMessage(m => m is MetricsSample { AgentId: "first" }, Patience);

        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first, Patience);
        Sys.ActorOf(SamplerActor.PropsFor("second", [memory], hub.Ingest, TimeSpan.FromMilliseconds(300)));

        var seen = new List<object>();
        samples.FishForMessage(m => { seen.Add(m); return m is MetricsSample { AgentId: "second" }; }, Patience);
        Assert.DoesNotContain(seen, m => m is Status.Failure || StreamDone.Equals(m));
    }

    private IActorRef StartSampler(TestProbe samples, TimeSpan interval, params IActorRef[] collectors)
    {
        var output = Sink.ActorRef<MetricsSample>(samples.Ref, StreamDone, failure => new Status.Failure(failure));
        return Sys.ActorOf(SamplerActor.PropsFor(AgentId, collectors, output, interval));
    }

    private IActorRef Collector(ICollector collector) => Sys.ActorOf(Props.Create(() => new CollectorActor(collector)));
}
