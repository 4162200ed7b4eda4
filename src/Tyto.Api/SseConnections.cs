using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Api;

/// <summary>
/// The open stream connections of this node. When the node shuts down, in CoordinatedShutdown's
/// service-requests-done phase, the frames of every connection end, each response completes like any other, and
/// the phase waits until they all have, before the streams they read from stop.
/// </summary>
public sealed class SseConnections
{
    private readonly SharedKillSwitch _shutdown = KillSwitches.Shared("sse-connections");
    private readonly ConcurrentDictionary<Task, NotUsed> _open = new();

    public SseConnections(ActorSystem system) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "end-sse-connections", async () =>
        {
            _shutdown.Shutdown();
            await Task.WhenAll(_open.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Done.Instance;
        });

    /// <summary><paramref name="frames"/> until the node shuts down; then they complete.</summary>
    public Source<SseFrame, NotUsed> UntilShutdown(Source<SseFrame, NotUsed> frames) => frames.Via(_shutdown.Flow<SseFrame>());

    /// <summary>Serves one connection; shutdown waits for it.</summary>
    public async Task ServeAsync(Func<Task> serve)
    {
        var serving = serve();
        _open.TryAdd(serving, NotUsed.Instance);
        try
        {
            await serving;
        }
        finally
        {
            _open.TryRemove(serving, out _);
        }
    }
}
