using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Pattern;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Metrics;

/// <summary>Asks the history writer to write what it holds and stop taking samples; answered with <see cref="Done"/>.</summary>
public sealed record FlushHistory
{
    public static readonly FlushHistory Instance = new();
}

/// <summary>
/// Writes the live samples into the history tables through its own branch of the metrics hub: a bounded
/// buffer that absorbs a stalled database, batches by size and time, and one transaction per batch. It
/// attaches at once and resumes from the stored state (rebuilding open buckets) before its first write, so
/// samples that arrive meanwhile wait in the buffer. A batch the database refuses is kept and tried again, with
/// backoff, until it is written: nothing is dropped while the database is away, the buffer fills meanwhile, and
/// only when it is full does its branch slow the hub.
/// </summary>
public sealed class HistoryWriterActor : ReceiveActor, IDisposable
{
    /// <summary>How often silent agents' buckets are checked when no sample arrives, so they are written all the same.</summary>
    public static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(10);

    private readonly HistoryStore _store;
    private readonly Source<RawPoint, NotUsed> _points;
    private readonly RollupEngine _engine;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StoreHealth _health = StoreHealth.Get(Context.System);
    private readonly HistoryReceipts _receipts = HistoryReceipts.Get(Context.System);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopped;
    private readonly List<IActorRef> _flushRequesters = [];
    private readonly Dictionary<string, long> _connectionsSeen = new(StringComparer.Ordinal);
    private Task _restored = Task.CompletedTask;
    private UniqueKillSwitch? _killSwitch;

    public HistoryWriterActor(HistoryStore store, Source<RawPoint, NotUsed> points)
    {
        _store = store;
        _points = points;
        _stopped = _stop.Token;
        _engine = new RollupEngine(store.Options.IdleGrace);
        Receive<FlushHistory>(_ =>
        {
            _flushRequesters.Add(Sender);
            _killSwitch!.Shutdown();
        });
        Receive<WritingEnded>(_ =>
        {
            foreach (var requester in _flushRequesters)
                requester.Tell(Done.Instance);
            Context.Stop(Self);
        });
        Receive<WritingFailed>(failed => throw new HistoryWriteException("History writing failed", failed.Cause));
    }

    public static Props PropsFor(HistoryStore store, Source<RawPoint, NotUsed> points) =>
        Props.Create(() => new HistoryWriterActor(store, points));

    protected override void PreStart()
    {
        // Microsoft.Data.Sqlite's async calls complete synchronously: run on the actor's thread, restoring would
        // hold up attaching to the hub, and the samples of those seconds would never reach this branch.
        _restored = Task.Run(RestoreAsync);
        var options = _store.Options;
        (_killSwitch, var written) = _points
            .ViaMaterialized(KillSwitches.Single<RawPoint>(), Keep.Right)
            .Buffer(options.Buffer, OverflowStrategy.Backpressure)
            .GroupedWithin(options.BatchSize, options.BatchWindow)
            .Select(batch => (IReadOnlyList<RawPoint>)[.. batch])
            .KeepAlive<IReadOnlyList<RawPoint>, IReadOnlyList<RawPoint>, UniqueKillSwitch>(IdleCheck, () => [])
            .SelectAsync(1, WriteAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .Run(Context.Materializer());
        Task.WhenAll(written, _restored).PipeTo(Self, success: () => WritingEnded.Instance, failure: cause => new WritingFailed(cause));
    }

    protected override void PostStop()
    {
        // A batch still being retried is given up only now, when nothing will take it any more.
        _stop.Cancel();
        base.PostStop();
    }

    /// <summary>Called by Akka once the actor has stopped.</summary>
    public void Dispose() => _stop.Dispose();

    private async Task RestoreAsync()
    {
        var states = await _store.LoadStatesAsync(cancellationToken: _stopped);
        var batch = _engine.Restore(states, _store.Clock.GetUtcNow().UtcDateTime);
        await WriteUntilWrittenAsync(batch);
        Publish(batch);
    }

    private async Task<Done> WriteAsync(IReadOnlyList<RawPoint> points)
    {
        await _restored;
        ForgetReconnected(points);
        if (_engine.Unknown(points) is { Count: > 0 } unknown)
        {
            // Agents the engine forgot when they went quiet resume from what is stored, as at a start.
            var resumed = _engine.Restore(await _store.LoadStatesAsync(unknown, _stopped), _store.Clock.GetUtcNow().UtcDateTime);
            await WriteUntilWrittenAsync(resumed);
            Publish(resumed);
        }
        var batch = _engine.Add(await WithoutStoredAsync(points), _store.Clock.GetUtcNow().UtcDateTime);
        await WriteUntilWrittenAsync(batch);
        Publish(batch);
        // Repeats left out above were stored before: every point of the batch is in the database now.
        _receipts.Stored(points);
        return Done.Instance;
    }

    /// <summary>
    /// Forgets the agents of <paramref name="points"/> that connected to this node anew since their last points here: in a
    /// cluster another node may have stored samples of theirs meanwhile (an agent that went there and came back within a
    /// minute, or during this node's start), which the buckets still filling here lack. They resume from what is stored,
    /// as agents the engine forgot when they went quiet do.
    /// </summary>
    private void ForgetReconnected(IReadOnlyList<RawPoint> points)
    {
        foreach (var agentId in points.Select(p => p.AgentId).Distinct(StringComparer.Ordinal))
        {
            var connections = _receipts.ConnectionsOf(agentId);
            if (_connectionsSeen.GetValueOrDefault(agentId) == connections)
                continue;
            _engine.Forget(agentId);
            _connectionsSeen[agentId] = connections;
        }
    }

    /// <summary>
    /// Each agent's timestamp once: repeats within the batch, and points the raw table holds already (an agent resending
    /// what a previous server process stored), are left out before they could fail the insert or count twice in a bucket.
    /// </summary>
    private async Task<IReadOnlyList<RawPoint>> WithoutStoredAsync(IReadOnlyList<RawPoint> points)
    {
        var behind = _engine.Behind(points);
        var seen = new HashSet<(string AgentId, long Timestamp)>();
        if (behind.Count > 0)
            await UntilDoneAsync(async () => seen.UnionWith(await _store.StoredAsync(behind, _stopped)), $"Reading which of {behind.Count} history points are stored");
        return [.. points.Where(p => seen.Add((p.AgentId, HistoryTime.ToUnixMs(p.Timestamp))))];
    }

    /// <summary>
    /// Writes the batch, trying again after each failure with a delay that doubles up to the configured maximum. A retry
    /// first leaves out the raw points stored meanwhile: in a cluster, an agent that moved to another node may resend
    /// samples the old node was still writing, and the first of the two writes wins.
    /// </summary>
    private async Task WriteUntilWrittenAsync(HistoryBatch batch)
    {
        if (batch.IsEmpty)
            return;
        var retry = false;
        await UntilDoneAsync(async () =>
        {
            if (retry)
            {
                var stored = await _store.StoredAsync(batch.Raw, _stopped);
                batch.Raw.RemoveAll(p => stored.Contains((p.AgentId, HistoryTime.ToUnixMs(p.Timestamp))));
            }
            retry = true;
            await _store.WriteAsync(batch, _stopped);
        }, $"Writing {batch.Raw.Count} history points");
    }

    /// <summary>Runs a step of the store until it succeeds, trying again after each failure with a delay that doubles up to the configured maximum.</summary>
    private async Task UntilDoneAsync(Func<Task> step, string what)
    {
        var options = _store.Options;
        var delay = options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step();
                _health.WriteSucceeded();
                if (attempt > 1)
                    _log.Info("{0} succeeded at attempt {1}", what, attempt);
                return;
            }
            catch (Exception e) when (!_stopped.IsCancellationRequested)
            {
                _health.WriteFailed(_store.Clock.GetUtcNow().UtcDateTime);
                _log.Warning(e, "{0} failed (attempt {1}); trying again in {2}", what, attempt, delay);
                await Task.Delay(delay, _store.Clock, _stopped);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
            }
        }
    }

    private void Publish(HistoryBatch batch)
    {
        foreach (var agentId in batch.Touched)
        {
            foreach (var resolution in Resolution.Rollups)
                _store.PublishOpen(agentId, resolution, _engine.Open(agentId, resolution)?.Copy());
        }
    }

    private sealed record WritingEnded
    {
        public static readonly WritingEnded Instance = new();
    }

    private sealed record WritingFailed(Exception Cause);
}

/// <summary>The history writer could not write; its supervisor restarts it, and it resumes from what is stored.</summary>
public sealed class HistoryWriteException(string message, Exception inner) : Exception(message, inner);

public static class MetricsHosting
{
    /// <summary>How long shutdown waits for the writer to write what it holds.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Starts the history writer (restarted with backoff if the database fails it) and the pruner, makes
    /// shutdown write the samples still buffered before the node stops, and starts keeping every agent's newest sample.
    /// </summary>
    public static AkkaConfigurationBuilder AddMetricsActors(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, _, resolver) =>
        {
            LatestSamples.Get(system);
            var store = resolver.GetService<HistoryStore>();
            var writerProps = HistoryWriterActor.PropsFor(store, MetricsHub.Get(system).Received.Select(RawPoint.From));
            var writer = system.ActorOf(
                BackoffSupervisor.Props(Backoff.OnFailure(writerProps, "writer", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)),
                "history-writer");
            system.ActorOf(PrunerActor.PropsFor("history rows", () => store.PruneAsync(), store.Options.PruneInterval), "history-pruner");
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "flush-history", async () =>
            {
                try
                {
                    return await writer.Ask<Done>(FlushHistory.Instance, FlushTimeout);
                }
                catch (AskTimeoutException)
                {
                    // Shutdown goes on regardless; the samples still buffered are not written.
                    system.Log.Warning("History writer did not finish writing within {0}; buffered samples are lost", FlushTimeout);
                    return Done.Instance;
                }
            });
        });
}
