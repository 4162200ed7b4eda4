using Akka.Actor;
using Akka.Hosting;
using Akka.Pattern;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Options;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Logs;

public static class LogsHosting
{
    /// <summary>
    /// Starts the log writer (restarted with backoff if the database fails it), the pruner, and one
    /// <see cref="LogSourceActor"/> per log source of this node's own host, reading into the <see cref="LogHub"/> from
    /// the position the <see cref="LogStore"/> kept.
    /// </summary>
    public static AkkaConfigurationBuilder AddLogActors(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, _, resolver) =>
        {
            var store = resolver.GetService<LogStore>();
            var options = resolver.GetService<IOptions<TytoOptions>>().Value;
            var hub = LogHub.Get(system);
            system.ActorOf(
                BackoffSupervisor.Props(Backoff.OnFailure(LogWriterActor.PropsFor(store, hub), "writer", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)),
                "log-writer");
            system.ActorOf(PrunerActor.PropsFor("log entries", () => store.PruneAsync(), LogStore.PruneInterval), "log-pruner");
            foreach (var source in LogReaders.For(options, store.Clock))
                system.ActorOf(SourceProps(system, hub, store, options.Agent.Id, source), $"log-{source.Key}");
        });

    /// <summary>A source of host <paramref name="agentId"/> whose batches go into the hub with its position.</summary>
    public static Props SourceProps(ActorSystem system, LogHub hub, LogStore store, string agentId, LogSource source)
    {
        var queue = Source.Queue<LogBatch>(1, OverflowStrategy.Backpressure).To(hub.Ingest).Run(system.Materializer());
        return LogSourceActor.PropsFor(source, () => store.PositionAsync(agentId, source.Key), async read =>
        {
            if (await queue.OfferAsync(new LogBatch(agentId, source.Key, read.Entries, read.Position, null)) is not QueueOfferResult.Enqueued)
                throw new InvalidOperationException("The log hub is closed");
        });
    }
}
