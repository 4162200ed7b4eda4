using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors;

/// <summary>
/// A live stream with many producers and many consumers (a MergeHub into a BroadcastHub) that ends cleanly when the
/// node shuts down. In CoordinatedShutdown's before-cluster-shutdown phase, after the services have stopped, the hub
/// stops taking elements, every consumer sees its stream complete, every producer is told to finish, and the phase
/// waits until they all have: nothing is torn down mid-stream when the actor system stops.
/// </summary>
public sealed class LiveHub<T>
{
    /// <summary>The producers and consumers attached now, each by the task that completes when it has finished.</summary>
    private readonly ConcurrentDictionary<Task, NotUsed> _attached = new();

    public LiveHub(ActorSystem system, string name, int perProducerBuffer, int broadcastBuffer)
    {
        var closing = KillSwitches.Shared(name);
        var (ingest, output) = MergeHub.Source<T>(perProducerBuffer)
            .Via(closing.Flow<T>())
            .ToMaterialized(BroadcastHub.Sink<T>(broadcastBuffer), Keep.Both)
            .Run(system.Materializer());
        Ingest = Flow.Create<T>().WatchTermination((_, finished) => Track(finished)).To(ingest);
        Output = output.WatchTermination((_, finished) => Track(finished));
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, $"close-{name}", async () =>
        {
            closing.Shutdown();
            await Task.WhenAll(_attached.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Done.Instance;
        });
    }

    /// <summary>Where producers run into; each materialization is one producer.</summary>
    public Sink<T, NotUsed> Ingest { get; }

    /// <summary>Every element from the moment of attaching, until the node shuts down.</summary>
    public Source<T, NotUsed> Output { get; }

    private NotUsed Track(Task<Done> finished)
    {
        _attached.TryAdd(finished, NotUsed.Instance);
        finished.ContinueWith(f => _attached.TryRemove(f, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return NotUsed.Instance;
    }
}
