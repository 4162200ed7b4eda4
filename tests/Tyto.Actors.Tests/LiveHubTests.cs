using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Metrics;
using Tyto.Collection;

namespace Tyto.Actors.Tests;

public sealed class LiveHubTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Shutdown_completes_every_consumer_and_producer_instead_of_tearing_them_down()
    {
        var hub = new LiveHub<int>(Sys, "test-hub", 16, 16);
        var materializer = Sys.Materializer();
        var received = new ConcurrentQueue<int>();
        var consumed = hub.Output.RunWith(Sink.ForEach<int>(received.Enqueue), materializer);
        var (producer, produced) = Source.ActorRef<int>(16, OverflowStrategy.DropHead)
            .WatchTermination(Keep.Both)
            .To(hub.Ingest)
            .Run(materializer);
        await Poll.UntilAsync(() =>
        {
            producer.Tell(1);
            return !received.IsEmpty;
        }, "the consumer receives what the producer sends");

        await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);

        // Torn down with the actor system instead, they would not complete.
        await consumed.WaitAsync(TimeSpan.FromSeconds(20));
        await produced.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Live_consumers_get_each_agents_newest_samples_only()
    {
        var at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        MetricsSample Sample(string agentId, int second) => MetricsSample.Empty(agentId, at.AddSeconds(second));

        var passed = await Source.From([Sample("a", 10), Sample("b", 1), Sample("a", 3), Sample("a", 10), Sample("a", 11), Sample("b", 2)])
            .Via(MetricsHub.NewestOnly())
            .RunWith(Sink.Seq<MetricsSample>(), Sys.Materializer());

        Assert.Equal([("a", 10), ("b", 1), ("a", 11), ("b", 2)], passed.Select(s => (s.AgentId, (int)(s.Timestamp - at).TotalSeconds)));
    }
}
