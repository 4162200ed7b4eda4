using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Agents;

public sealed class AgentActorTests : SqliteTestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_registered_agent_runs_its_samples_through_its_alert_rules()
    {
        var config = Sys.ActorOf(AlertConfigActor.PropsFor());
        config.Tell(new ChangeThresholds([new ThresholdChange(AlertType.Memory, 40, 60), new ThresholdChange(AlertType.Disk, 20, 30)]));
        ExpectMsg<ThresholdsAccepted>(Patience);
        var listener = CreateTestProbe();
        var rules = new AlertRules(config, new AlertRuleSettings(TimeSpan.Zero, 2), 100, listener.Ref);
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a3", rules)));
        agent.Tell(new RegisterHost("a3", CreateTestProbe().Ref, "host-c", "x86_64"));
        var at = new DateTime(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
        var sample = MetricsSample.Empty("a3", at) with
        {
            Cpu = CpuSection.Empty with { TotalUsage = 12 },
            Memory = MemorySection.Empty with { Total = 1_000, Used = 500 },
            Disk = new DiskSection([new MountUsage("/dev/sda1", "/", "ext4", 100, 10, 90), new MountUsage("/dev/sdb1", "/srv/data", "xfs", 100, 35, 65)], []),
        };

        // The thresholds reach the agent asynchronously: send until the rules have something to say.
        var raised = new List<AlertRaised>();
        AwaitAssert(() =>
        {
            agent.Tell(new RecordSample("a3", sample with { Timestamp = DateTime.UtcNow }));
            raised.Add(listener.ExpectMsg<AlertRaised>(TimeSpan.FromMilliseconds(500)));
        }, Patience);
        raised.Add(listener.ExpectMsg<AlertRaised>(Patience));

        Assert.Equal(
            [(AlertType.Disk, "/srv/data", AlertLevel.Critical, 35.0), (AlertType.Memory, null, AlertLevel.Warning, 50.0)],
            raised.Select(r => (r.Type, r.Mount, r.Level, r.Value)).OrderBy(r => r.Type.ToString(), StringComparer.Ordinal));
        Assert.Equal(["alert-raised.v1"], JournalRows(AlertRuleActor.PersistenceIdFor("a3", AlertType.Memory, null)).Select(r => r.Manifest));
        Assert.Empty(JournalRows(AlertRuleActor.PersistenceIdFor("a3", AlertType.Cpu, null)));
        Assert.Empty(JournalRows(AlertRuleActor.PersistenceIdFor("a3", AlertType.Disk, "/")));
    }

    [Fact]
    public void A_registered_local_host_is_online_and_recovered_after_a_restart()
    {
        var monitor = CreateTestProbe();
        var before = DateTime.UtcNow;
        var first = Sys.ActorOf(Props.Create(() => new AgentActor("a1")));

        first.Tell(new RegisterHost("a1", monitor.Ref, "host-a", "x86_64"));
        first.Tell(new GetAgent("a1"));

        var view = ExpectMsg<AgentLookup>(Patience).Agent;
        Assert.NotNull(view);
        Assert.Equal(new AgentView("a1", "a1", "host-a", "online", "x86_64", "linux", null, view.RegisteredAt, 0, 0, null, null), view);
        Assert.InRange(view.RegisteredAt, before, DateTime.UtcNow);

        // A second registration, as after the host monitor restarts, records nothing new.
        first.Tell(new RegisterHost("a1", monitor.Ref, "host-a-renamed", "x86_64"));
        first.Tell(new GetAgent("a1"));
        Assert.Equal("host-a", ExpectMsg<AgentLookup>(Patience).Agent?.Hostname);
        Stop(first);

        var second = Sys.ActorOf(Props.Create(() => new AgentActor("a1")));
        second.Tell(new GetAgent("a1"));

        // Recovered from the journal; no monitor is attached to the new incarnation yet.
        Assert.Equal(view with { Status = "offline" }, ExpectMsg<AgentLookup>(Patience).Agent);
    }

    [Fact]
    public void An_agent_nobody_registered_is_not_found()
    {
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("ghost")));

        agent.Tell(new GetAgent("ghost"));

        Assert.Null(ExpectMsg<AgentLookup>(Patience).Agent);
    }

    [Fact]
    public void An_offline_host_cannot_take_process_commands()
    {
        var monitor = CreateTestProbe();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a2")));
        agent.Tell(new RegisterHost("a2", monitor.Ref, "host-b", "aarch64"));

        agent.Tell(new QueryProcess("a2", 1234));
        monitor.ExpectMsg<GetProcessDetails>(m => m.Pid == 1234, Patience);

        Stop(monitor.Ref);
        AwaitAssert(() =>
        {
            agent.Tell(new GetAgent("a2"));
            Assert.Equal("offline", ExpectMsg<AgentLookup>(Patience).Agent?.Status);
        }, Patience);
        agent.Tell(new SendProcessSignal("a2", 1234, 15));

        ExpectMsg(new AgentUnavailable("a2", Known: true), Patience);
    }

    [Fact]
    public void A_registration_the_journal_refuses_is_reported_and_a_later_one_registers_the_host()
    {
        var monitor = CreateTestProbe();
        var health = StoreHealth.Get(Sys);
        // Another host registered first: the journal exists, and refuses what comes next.
        var other = Sys.ActorOf(Props.Create(() => new AgentActor("a5")));
        other.Tell(new RegisterHost("a5", monitor.Ref, "host-e", "x86_64"));
        other.Tell(new GetAgent("a5"));
        Assert.NotNull(ExpectMsg<AgentLookup>(Patience).Agent);
        RefuseJournalWrites();
        var refused = Sys.ActorOf(Props.Create(() => new AgentActor("a4")));
        Watch(refused);

        refused.Tell(new RegisterHost("a4", monitor.Ref, "host-d", "x86_64"));

        ExpectTerminated(refused, Patience);
        Assert.NotNull(health.FailingSince);

        // The monitor registers again; the shard starts the entity anew for it.
        AcceptJournalWrites();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a4")));
        agent.Tell(new RegisterHost("a4", monitor.Ref, "host-d", "x86_64"));
        agent.Tell(new GetAgent("a4"));

        Assert.Equal("host-d", ExpectMsg<AgentLookup>(Patience).Agent?.Hostname);
        Assert.Null(health.FailingSince);
    }
}
