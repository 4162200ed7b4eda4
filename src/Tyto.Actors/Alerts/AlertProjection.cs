using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Alerts;

/// <summary>
/// Keeps the <see cref="AlertBoard"/> up with the journal: the live query <c>EventsByTag("alert")</c> from the stored
/// position, written in batches. Every server node runs one rather than a cluster singleton: the writes are idempotent,
/// so a second projector costs a few no-op inserts per alert event, and no node's board waits for a singleton to be
/// handed over after a node is lost. It follows the journal within the read journal's refresh interval; a write that
/// must be read back at once is waited for with <see cref="CatchUpAsync"/>.
/// </summary>
public static class AlertProjection
{
    private const int BatchSize = 500;

    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);
    /// <summary>How long a read waits for the board to show a write just made, and the pause between its catch-ups.</summary>
    public static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan CatchUpPause = TimeSpan.FromMilliseconds(50);

    private static readonly RestartSettings Restart = RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);

    /// <summary>Follows the journal until the actor system stops; a query or write that fails starts again from the stored position.</summary>
    public static void Start(ActorSystem system, AlertBoard board)
    {
        var journal = ReadJournal(system);
        RestartSource.OnFailuresWithBackoff(
                () => Source.FromTask(board.OffsetAsync())
                    .ConcatMany(offset => journal.EventsByTag(AlertRuleActor.Tag, offset))
                    .GroupedWithin(BatchSize, BatchWindow)
                    .SelectAsync(1, async batch =>
                    {
                        await board.ProjectAsync([.. batch]);
                        return NotUsed.Instance;
                    }),
                Restart)
            .RunWith(Sink.Ignore<NotUsed>(), system.Materializer());
    }

    /// <summary>Projects every alert event the journal holds now, so that a read that follows sees them all.</summary>
    public static async Task CatchUpAsync(ActorSystem system, AlertBoard board, CancellationToken cancellationToken)
    {
        var offset = await board.OffsetAsync(cancellationToken);
        await ReadJournal(system).CurrentEventsByTag(AlertRuleActor.Tag, offset)
            .Grouped(BatchSize)
            .SelectAsync(1, async batch =>
            {
                await board.ProjectAsync([.. batch], cancellationToken);
                return NotUsed.Instance;
            })
            .RunWith(Sink.Ignore<NotUsed>(), system.Materializer())
            .WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Catches up until <paramref name="shown"/> holds of the board, for a read that must see a write just made; when it
    /// holds already, as it mostly does, that one check is all. The read journal hands out an event only once it has made
    /// sure no earlier one is still being written (its query delay), so a catch-up right after a write may not reach it
    /// yet. Gives up after <see cref="CatchUpLimit"/>, when the live projection shows it within a second all the same.
    /// </summary>
    public static async Task CatchUpUntilAsync(ActorSystem system, AlertBoard board, Func<Task<bool>> shown, CancellationToken cancellationToken)
    {
        if (await shown())
            return;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await CatchUpAsync(system, board, cancellationToken);
            if (await shown() || waited.Elapsed >= CatchUpLimit)
                return;
            await Task.Delay(CatchUpPause, cancellationToken);
        }
    }

    private static SqlReadJournal ReadJournal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
}
