using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Logs;

/// <summary>
/// Writes the log batches of its branch of the <see cref="LogHub"/> into the <see cref="LogStore"/>, several in one
/// transaction, and tries a failed write again (with a growing delay) until it succeeds, holding up the hub, and so
/// the sources, meanwhile; what it wrote, with ids, goes on to <see cref="LogHub.Written"/>. Each batch carries its
/// source's position, stored with it: what a stop leaves unwritten is read again from the source after the restart,
/// so nothing needs flushing.
/// </summary>
public sealed class LogWriterActor : ReceiveActor, IDisposable
{
    public const int BatchSize = 2_000;

    /// <summary>The longest a batch waits for others to share its transaction: a line reaches the store within about this.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(30);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LogStore _store;
    private readonly LogHub _hub;
    private readonly CancellationTokenSource _stop = new();
    private UniqueKillSwitch? _killSwitch;

    public LogWriterActor(LogStore store, LogHub hub)
    {
        _store = store;
        _hub = hub;
        Receive<Status.Failure>(failure => throw new InvalidOperationException("Log writing failed", failure.Cause));
    }

    public static Props PropsFor(LogStore store, LogHub hub) => Props.Create(() => new LogWriterActor(store, hub));

    protected override void PreStart()
    {
        (_killSwitch, var written) = _hub.Batches
            .ViaMaterialized(KillSwitches.Single<LogBatch>(), Keep.Right)
            .GroupedWeightedWithin(BatchSize, BatchWindow, batch => Math.Max(1, batch.Entries.Count))
            .SelectAsync(1, batches => WriteUntilWrittenAsync([.. batches]))
            .Where(stored => stored.Count > 0)
            .AlsoToMaterialized(_hub.Stored, Keep.Left)
            .ToMaterialized(Sink.Ignore<IReadOnlyList<StoredLogEntry>>(), Keep.Both)
            .Run(Context.Materializer());
        written.PipeTo(Self, success: () => Done.Instance);
    }

    protected override void PostStop()
    {
        _killSwitch?.Shutdown();
        _stop.Cancel();
    }

    /// <summary>Called by Akka once the actor has stopped.</summary>
    public void Dispose() => _stop.Dispose();

    private async Task<IReadOnlyList<StoredLogEntry>> WriteUntilWrittenAsync(IReadOnlyList<LogBatch> batches)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await _store.WriteAsync(batches, _stop.Token);
                foreach (var batch in batches)
                    batch.Stored?.TrySetResult();
                if (attempt > 1)
                    _log.Info("Wrote {0} log batches at attempt {1}", batches.Count, attempt);
                return stored;
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                _log.Warning(e, "Writing {0} log batches failed (attempt {1}); trying again in {2}", batches.Count, attempt, delay);
                await Task.Delay(delay, _store.Clock, _stop.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
            }
        }
    }
}
