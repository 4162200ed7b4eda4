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

    private static SqlReadJournal ReadJournal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
}
