using Akka.Actor;
using Tyto.Actors.Collection;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Persistence;

public sealed class CollectionSettingsActorTests : SqliteTestKit
{
    private const int DefaultSeconds = 2;
    private const string PersistenceId = "settings-collection";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public void Subscriber_gets_the_current_settings_and_every_change()
    {
        var settings = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        var subscriber = CreateTestProbe();

        settings.Tell(new SubscribeToCollectionSettings(subscriber));
        subscriber.ExpectMsg(new CollectionSettings(DefaultSeconds), Patience);

        settings.Tell(new ChangeRefreshInterval(5));
        ExpectMsg(new CollectionSettings(5), Patience);
        subscriber.ExpectMsg(new CollectionSettings(5), Patience);
    }

    [Fact]
    public void A_changed_interval_survives_a_restart()
    {
        var first = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        first.Tell(new ChangeRefreshInterval(5));
        ExpectMsg(new CollectionSettings(5), Patience);
        Stop(first);
        var stored = Assert.Single(JournalRows(PersistenceId));
        Assert.Equal(("refresh-interval-changed.v1", TytoSerializer.SerializerId), (stored.Manifest, stored.SerializerId));
        Assert.StartsWith("""{"seconds":5,"at":""", stored.Payload, StringComparison.Ordinal);

        var second = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        var subscriber = CreateTestProbe();
        second.Tell(new SubscribeToCollectionSettings(subscriber));

        subscriber.ExpectMsg(new CollectionSettings(5), Patience);
    }

    [Fact]
    public void Unchanged_or_out_of_range_intervals_persist_nothing()
    {
        var first = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        first.Tell(new ChangeRefreshInterval(DefaultSeconds));
        ExpectMsg(new CollectionSettings(DefaultSeconds), Patience);
        first.Tell(new ChangeRefreshInterval(0));
        ExpectMsg<Status.Failure>(Patience);
        first.Tell(new ChangeRefreshInterval(3601));
        ExpectMsg<Status.Failure>(Patience);
        Stop(first);

        var second = Sys.ActorOf(CollectionSettingsActor.PropsFor(7));
        second.Tell(GetCollectionSettings.Instance);

        // Nothing in the journal: the new incarnation keeps its own default.
        ExpectMsg(new CollectionSettings(7), Patience);
    }

    [Fact]
    public void After_a_hundred_changes_recovery_starts_from_a_snapshot()
    {
        var first = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        for (var i = 1; i <= 101; i++)
            first.Tell(new ChangeRefreshInterval(i % 2 == 0 ? 10 : 20));
        for (var i = 1; i <= 101; i++)
            ExpectMsg<CollectionSettings>(Patience);
        AwaitAssert(() => Assert.Equal([100L], SnapshotRows(PersistenceId).Select(r => r.SequenceNumber)), Patience);
        var snapshot = SnapshotRows(PersistenceId)[0];
        Assert.Equal(("collection-settings.v1", TytoSerializer.SerializerId, """{"refreshIntervalSeconds":10}"""), (snapshot.Manifest, snapshot.SerializerId, snapshot.Payload));
        Stop(first);

        var second = Sys.ActorOf(CollectionSettingsActor.PropsFor(DefaultSeconds));
        second.Tell(GetCollectionSettings.Instance);

        // Snapshot at 100 (10 s), then event 101 (20 s).
        ExpectMsg(new CollectionSettings(20), Patience);
    }
}
