using Akka.Actor;
using Akka.TestKit.Xunit2;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests.Persistence;

namespace Tyto.Actors.Tests.Alerts;

public sealed class AlertRuleActorTests : SqliteTestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly DateTime Start = new(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
    private static readonly Threshold Memory = new(85, 95);
    private static readonly AlertRuleSettings TenSeconds = new(TimeSpan.FromSeconds(10), 2);
    private static readonly string PersistenceId = AlertRuleActor.PersistenceIdFor("web-1", AlertType.Memory, null);

    private static Props Rule(IActorRef listener, int snapshotEvery = 100) =>
        AlertRuleActor.PropsFor("web-1", AlertType.Memory, null, TenSeconds, snapshotEvery, listener);

    private static void Feed(IActorRef rule, double value, int fromSecond, int seconds)
    {
        for (var i = fromSecond; i < fromSecond + seconds; i++)
            rule.Tell(new EvaluateRule(value, Start.AddSeconds(i), Memory));
    }

    [Fact]
    public async Task An_acknowledged_alert_is_the_same_alert_after_the_actor_system_is_killed()
    {
        ActiveAlert before;
        var first = ActorSystem.Create("first", ConfigFor(Database));
        try
        {
            var probe = new TestKit(first);
            var rule = first.ActorOf(Rule(probe.TestActor));
            Feed(rule, 90, 0, 11);
            var raised = probe.ExpectMsg<AlertRaised>(Patience);
            Assert.Equal(("web-1:memory:1", AlertLevel.Warning, 85.0), (raised.AlertId, raised.Level, raised.Threshold));

            rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)), probe.TestActor);
            probe.ExpectMsg<AlertAcknowledged>(Patience);
            before = probe.ExpectMsg<AcknowledgeResult>(Patience).Alert!;
            Assert.Equal("alice", before.AcknowledgedBy);
        }
        finally
        {
            await first.Terminate();
        }
        Assert.Equal(["alert-raised.v1", "alert-acknowledged.v1"], JournalRows(PersistenceId).Select(r => r.Manifest));

        // The second test kit made its own actor the implicit sender on this thread: name the sender.
        var recovered = Sys.ActorOf(Rule(TestActor));
        recovered.Tell(GetRuleState.Instance, TestActor);

        var state = ExpectMsg<AlertRuleState>(Patience);
        Assert.Equal(before, state.Active);
        // The recovered rule goes on from there: the same alert resolves, and a new one gets the next id.
        Feed(recovered, 10, 100, 11);
        Assert.Equal("web-1:memory:1", ExpectMsg<AlertResolved>(Patience).AlertId);
        Feed(recovered, 99, 200, 11);
        Assert.Equal("web-1:memory:2", ExpectMsg<AlertRaised>(Patience).AlertId);
    }

    [Fact]
    public void An_acknowledgement_the_journal_refuses_is_answered_at_once()
    {
        var rule = Sys.ActorOf(Rule(TestActor));
        Feed(rule, 90, 0, 11);
        var raised = ExpectMsg<AlertRaised>(Patience);

        RefuseJournalWrites();
        rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)));

        Assert.IsType<StoreUnavailableException>(ExpectMsg<Status.Failure>(Patience).Cause);
        AcceptJournalWrites();
    }

    [Fact]
    public void A_snapshot_plus_the_later_events_recover_the_same_state()
    {
        var rule = Sys.ActorOf(Rule(TestActor, snapshotEvery: 2));
        Feed(rule, 90, 0, 11);
        var raised = ExpectMsg<AlertRaised>(Patience);
        rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)));
        ExpectMsg<AlertAcknowledged>(Patience);
        ExpectMsg<AcknowledgeResult>(Patience);
        Feed(rule, 99, 100, 11);
        ExpectMsg<AlertLevelChanged>(Patience);
        rule.Tell(GetRuleState.Instance);
        var before = ExpectMsg<AlertRuleState>(Patience);
        // The snapshot store writes after the events: wait for it, or the restart below may recover from events alone.
        AwaitCondition(() => SnapshotRows(PersistenceId).Count > 0, Patience);
        Stop(rule);

        var recovered = Sys.ActorOf(Rule(TestActor, snapshotEvery: 2));
        recovered.Tell(GetRuleState.Instance);

        var after = ExpectMsg<AlertRuleState>(Patience);
        Assert.Equal((before.Active, before.Raised), (after.Active, after.Raised));
        Assert.Equal(AlertLevel.Critical, after.Active!.Level);
    }

    [Fact]
    public void Acknowledging_twice_records_once_and_an_unknown_alert_is_not_active()
    {
        var rule = Sys.ActorOf(Rule(TestActor));
        Feed(rule, 90, 0, 11);
        var raised = ExpectMsg<AlertRaised>(Patience);

        rule.Tell(new AcknowledgeAlert(raised.AlertId, "alice", Start.AddMinutes(1)));
        ExpectMsg<AlertAcknowledged>(Patience);
        ExpectMsg<AcknowledgeResult>(Patience);
        rule.Tell(new AcknowledgeAlert(raised.AlertId, "bob", Start.AddMinutes(2)));
        Assert.Equal("alice", ExpectMsg<AcknowledgeResult>(Patience).Alert!.AcknowledgedBy);
        rule.Tell(new AcknowledgeAlert("web-1:memory:7", "bob", Start.AddMinutes(2)));
        Assert.Null(ExpectMsg<AcknowledgeResult>(Patience).Alert);

        Stop(rule);
        Assert.Equal(2, JournalRows(PersistenceId).Count);
    }
}
