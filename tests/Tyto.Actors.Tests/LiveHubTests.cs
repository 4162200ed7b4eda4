using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

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
}
