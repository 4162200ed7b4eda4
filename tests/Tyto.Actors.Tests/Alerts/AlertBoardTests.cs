using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests.Persistence;

namespace Tyto.Actors.Tests.Alerts;

/// <summary>
/// The alert board projected from alerts that real rules persisted, compared with a fold of the whole journal; run
/// on each provider, journal and board on the same database.
/// </summary>
public abstract class AlertBoardTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly DateTime Start = new(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
    private static readonly AlertRuleSettings TenSeconds = new(TimeSpan.FromSeconds(10), 2);
    private static readonly Threshold Line = new(85, 95);

    private readonly TestDatabase _test;
    private readonly AlertBoard _board;

    protected AlertBoardTests(string provider)
        : this(new TestDatabase(provider, "tyto-alert-board-"))
    {
    }

    private AlertBoardTests(TestDatabase test)
        : base(SqliteTestKit.ConfigFor(test.Database))
    {
        _test = test;
        _board = new AlertBoard(test.Database);
    }

    [Fact]
    public async Task The_board_at_every_instant_and_the_history_are_what_a_fold_of_the_journal_gives_also_when_rebuilt()
    {
        var events = await PersistAlertsAsync();
        AlertProjection.Start(Sys, _board);
        await Poll.UntilAsync(async () => (await _board.HistoryAsync(null, null, null, null, 0, 1000)).Total == events, "every event projected");
        await AssertSameAsJournalAsync();

        // Emptied tables are filled again from the start of the journal, here by a second projector beside the first.
        await using (var db = _test.Database.Open())
        {
            await db.GetTable<AlertEventRecord>().DeleteAsync();
            await db.GetTable<AlertProjectionRecord>().DeleteAsync();
        }
        AlertProjection.Start(Sys, _board);
        await Poll.UntilAsync(async () => (await _board.HistoryAsync(null, null, null, null, 0, 1000)).Total == events, "every event projected again");
        await AssertSameAsJournalAsync();
        Assert.Equal(events, (await _board.HistoryAsync(null, null, null, null, 0, 1000)).Total);
    }

    [Fact]
    public async Task Catching_up_projects_what_was_just_written()
    {
        var rule = Sys.ActorOf(AlertRuleActor.PropsFor("web-1", AlertType.Cpu, null, TenSeconds, 100, TestActor));
        Feed(rule, 90, 0, 11);
        var raised = ExpectMsg<AlertRaised>(Patience);
        rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)), TestActor);
        FishForMessage(m => m is AcknowledgeResult, Patience);

        await AlertProjection.CatchUpAsync(Sys, _board, CancellationToken.None);

        var active = Assert.Single(await _board.ActiveAtAsync(null, "web-1"));
        Assert.Equal((raised.AlertId, "alice"), (active.AlertId, active.AcknowledgedBy));
        Assert.Equal(raised, await _board.RaisedAsync(raised.AlertId));
        Assert.Empty(await _board.ActiveAtAsync(null, "web-2"));
    }

    /// <summary>
    /// Raises, escalates, acknowledges, resolves and raises again on one agent's memory rule, raises and resolves on
    /// another's disk rule; returns how many events that made, once the journal holds them all.
    /// </summary>
    private async Task<int> PersistAlertsAsync()
    {
        const string first = "web-1:memory:1";
        var memory = Sys.ActorOf(AlertRuleActor.PropsFor("web-1", AlertType.Memory, null, TenSeconds, 100, TestActor));
        var disk = Sys.ActorOf(AlertRuleActor.PropsFor("web-2", AlertType.Disk, "/srv/data", TenSeconds, 100, TestActor));
        Feed(memory, 90, 0, 11);
        Feed(disk, 97, 5, 11);
        ExpectMsg<AlertRaised>(Patience);
        ExpectMsg<AlertRaised>(Patience);
        Feed(memory, 97, 11, 11);
        ExpectMsg<AlertLevelChanged>(Patience);
        memory.Tell(new AcknowledgeAlert(first, "alice", Start.AddSeconds(25)), TestActor);
        FishForMessage(m => m is AcknowledgeResult, Patience);
        Feed(memory, 10, 30, 11);
        Feed(disk, 10, 30, 11);
        FishForMessage(m => m is AlertResolved resolved && resolved.AlertId == first, Patience);
        Feed(memory, 90, 50, 11);
        FishForMessage(m => m is AlertRaised raised && raised.AlertId == "web-1:memory:2", Patience);
        const int events = 7;
        await Poll.UntilAsync(async () => (await JournalEventsAsync()).Count == events, "every alert event in the journal");
        return events;
    }

    private async Task AssertSameAsJournalAsync()
    {
        var journal = await JournalEventsAsync();
        List<DateTime?> instants = [.. journal.SelectMany(e => new DateTime?[] { e.At.AddTicks(-1), e.At, e.At.AddMilliseconds(1) }), null];
        foreach (var at in instants)
        {
            Assert.Equal(AlertBoard.ActiveAt(journal, at), await _board.ActiveAtAsync(at, null));
            Assert.Equal(AlertBoard.ActiveAt(journal, at).Where(a => a.AgentId == "web-2"), await _board.ActiveAtAsync(at, "web-2"));
        }
        var history = (await _board.HistoryAsync(null, null, null, null, 0, 1000)).Page;
        Assert.Equal(journal.OrderBy(e => e.At), history.Select(e => e.Event));
        var disk = await _board.HistoryAsync(Start.AddSeconds(20), null, "web-2", AlertType.Disk, 0, 1);
        Assert.Equal((1, "web-2", "/srv/data"), (disk.Total, disk.Page[0].Origin.AgentId, disk.Page[0].Origin.Mount));
        Assert.IsType<AlertResolved>(disk.Page[0].Event);
    }

    /// <summary>Every alert event in the journal, in its order, as the read journal gives them.</summary>
    private async Task<List<IAlertEvent>> JournalEventsAsync() =>
        [.. (await PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByTag(AlertRuleActor.Tag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer())).Select(e => (IAlertEvent)e.Event)];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _test.Dispose();
    }

    private static void Feed(IActorRef rule, double value, int fromSecond, int seconds)
    {
        for (var i = fromSecond; i < fromSecond + seconds; i++)
            rule.Tell(new EvaluateRule(value, Start.AddSeconds(i), Line));
    }
}

public sealed class AlertBoardTestsOnSqlite() : AlertBoardTests(TytoDatabase.Sqlite);

public sealed class AlertBoardTestsOnPostgres() : AlertBoardTests(TytoDatabase.Postgres);
