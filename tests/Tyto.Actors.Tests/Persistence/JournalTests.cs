using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB.Data;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Persistence;

/// <summary>
/// Akka.Persistence.Sql on the tables <see cref="TytoDatabase.EnsureCreated"/> made, run on each provider: events,
/// a snapshot, recovery from both, and the tag query the alert history and the agent directory read.
/// </summary>
public abstract class JournalTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly DateTime Start = new(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
    private static readonly Threshold Memory = new(85, 95);

    private readonly TestDatabase _database;

    protected JournalTests(string provider)
        : this(new TestDatabase(provider, "tyto-journal-"))
    {
    }

    private JournalTests(TestDatabase database)
        : base(SqliteTestKit.ConfigFor(database.Database))
    {
        _database = database;
    }

    [Fact]
    public async Task Events_and_a_snapshot_recover_the_state_and_tagged_events_are_read_back_in_order()
    {
        var props = AlertRuleActor.PropsFor("web-1", AlertType.Memory, null, new AlertRuleSettings(TimeSpan.FromSeconds(10), 2), 2, TestActor);
        var rule = Sys.ActorOf(props);
        Feed(rule, 90, 0);
        var raised = ExpectMsg<AlertRaised>(Patience);
        rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)));
        ExpectMsg<AlertAcknowledged>(Patience);
        ExpectMsg<AcknowledgeResult>(Patience);
        Feed(rule, 99, 100);
        ExpectMsg<AlertLevelChanged>(Patience);
        rule.Tell(GetRuleState.Instance);
        var before = ExpectMsg<AlertRuleState>(Patience);
        await Poll.UntilAsync(async () => await SnapshotCountAsync() > 0, "the snapshot is stored");
        Watch(rule);
        Sys.Stop(rule);
        ExpectTerminated(rule, Patience);

        var recovered = Sys.ActorOf(props);
        recovered.Tell(GetRuleState.Instance);
        var after = ExpectMsg<AlertRuleState>(Patience);
        var history = (await PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByTag(AlertRuleActor.Tag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer())).Select(e => e.Event).ToList();

        Assert.Equal((before.Active, before.Raised, AlertLevel.Critical), (after.Active, after.Raised, after.Active!.Level));
        Assert.Equal([typeof(AlertRaised), typeof(AlertAcknowledged), typeof(AlertLevelChanged)], history.Select(e => e.GetType()));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _database.Dispose();
    }

    private static void Feed(IActorRef rule, double value, int fromSecond)
    {
        for (var i = fromSecond; i < fromSecond + 11; i++)
            rule.Tell(new EvaluateRule(value, Start.AddSeconds(i), Memory));
    }

    private async Task<long> SnapshotCountAsync()
    {
        await using var db = _database.Database.Open();
        return await db.ExecuteAsync<long>("SELECT count(*) FROM snapshot");
    }
}

public sealed class JournalTestsOnSqlite() : JournalTests(TytoDatabase.Sqlite);

public sealed class JournalTestsOnPostgres() : JournalTests(TytoDatabase.Postgres);
