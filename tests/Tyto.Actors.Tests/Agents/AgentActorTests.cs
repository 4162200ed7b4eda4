using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
        var rules = new AlertRules(config, new AlertRuleSettings(TimeSpan.Zero, 2), 100, listener.Ref, new AlertBoard(Database));
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
    public void A_backlog_sample_does_not_replace_the_latest()
    {
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a4")));
        agent.Tell(new RegisterHost("a4", CreateTestProbe().Ref, "host-d", "x86_64"));
        var now = DateTime.UtcNow;

        agent.Tell(new RecordSample("a4", MetricsSample.Empty("a4", now)));
        agent.Tell(new RecordSample("a4", MetricsSample.Empty("a4", now.AddMinutes(-5))));
        agent.Tell(new GetLatestSample("a4"));

        Assert.Equal(now, ExpectMsg<LatestSample>(Patience).Sample?.Timestamp);
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
    public void An_entity_that_stops_has_the_local_monitor_register_again_with_its_next_incarnation()
    {
        var monitor = CreateTestProbe();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a6")));
        agent.Tell(new RegisterHost("a6", monitor.Ref, "host-f", "x86_64"));
        agent.Tell(new GetAgent("a6"));
        Assert.Equal("online", ExpectMsg<AgentLookup>(Patience).Agent?.Status);

        Stop(agent);

        Assert.Equal(new RegisterHost("a6", monitor.Ref, "host-f", "x86_64"), monitor.ExpectMsg<RegisterHost>(Patience));
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

    [Fact]
    public void An_agent_without_token_waits_is_approved_connects_and_is_revoked()
    {
        using var authority = NewAuthority();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("web-1", null, Enrollment(authority))));

        agent.Tell(new RequestEnrollment("web-1", "Web", "web-host", "linux", "x86_64", Csr(), null, "secret-hash"));
        Assert.True(ExpectMsg<EnrollmentReply>(Patience).Pending);
        agent.Tell(new PollEnrollment("web-1", "secret-hash"));
        Assert.True(ExpectMsg<EnrollmentReply>(Patience).Pending);
        agent.Tell(new GetAgent("web-1"));
        Assert.Equal("pending", ExpectMsg<AgentLookup>(Patience).Agent?.Status);

        agent.Tell(new ApproveAgent("web-1", "alice"));
        var approved = ExpectMsg<AgentReply>(Patience).Agent!;
        agent.Tell(new PollEnrollment("web-1", "secret-hash"));
        var pem = ExpectMsg<EnrollmentReply>(Patience).Certificate!;
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.True(authority.Verify(certificate, out var agentId, out var serial, out _));
        Assert.Equal(("web-1", serial), (agentId, approved.Certificate?.Serial));

        var connection = CreateTestProbe();
        agent.Tell(new AdmitConnection("web-1", serial, connection.Ref, "1.0.0", 12, 3, new HashSet<long>()));
        var online = ExpectMsg<AgentReply>(Patience).Agent;
        Assert.Equal(("online", 12L, 3L, "1.0.0"), (online?.Status, online?.Buffered, online?.Dropped, online?.Version));
        agent.Tell(new QueryProcess("web-1", 42));
        connection.ExpectMsg<GetProcessDetails>(m => m.Pid == 42, Patience);

        agent.Tell(new RevokeAgent("web-1", "alice"));
        Assert.Equal("revoked", ExpectMsg<AgentReply>(Patience).Agent?.Status);
        Assert.Equal("AGENT_REVOKED", connection.ExpectMsg<CloseAgentConnection>(Patience).Code);
        agent.Tell(new AdmitConnection("web-1", serial, connection.Ref, "1.0.0", 0, 0, new HashSet<long>()));
        Assert.Equal("AGENT_REVOKED", ExpectMsg<AgentReply>(Patience).ErrorCode);
        Assert.Equal(
            ["enrollment-requested.v1", "agent-approved.v1", "certificate-issued.v1", "agent-connected.v1", "agent-revoked.v1"],
            JournalRows("agent-web-1").Select(r => r.Manifest));
    }

    [Fact]
    public void A_token_enrolls_at_once_and_a_malformed_csr_stores_nothing()
    {
        using var authority = NewAuthority();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("web-2", null, Enrollment(authority))));
        agent.Tell(new PreRegisterAgent("web-2", "Web two", EnrollmentSecrets.Hash("the-token"), DateTime.UtcNow.AddHours(24), "alice"));
        Assert.Equal("offline", ExpectMsg<AgentReply>(Patience).Agent?.Status);

        agent.Tell(new RequestEnrollment("web-2", "Web", "web-host", "linux", "x86_64", "not a csr", EnrollmentSecrets.Hash("the-token"), null));
        Assert.Equal("INVALID_CSR", ExpectMsg<EnrollmentReply>(Patience).ErrorCode);
        Assert.Equal(["agent-pre-registered.v1"], JournalRows("agent-web-2").Select(r => r.Manifest));

        agent.Tell(new RequestEnrollment("web-2", "Web", "web-host", "linux", "x86_64", Csr(), EnrollmentSecrets.Hash("the-token"), null));
        Assert.NotNull(ExpectMsg<EnrollmentReply>(Patience).Certificate);
        agent.Tell(new RequestEnrollment("web-2", "Web", "web-host", "linux", "x86_64", Csr(), EnrollmentSecrets.Hash("the-token"), null));
        Assert.Equal("INVALID_TOKEN", ExpectMsg<EnrollmentReply>(Patience).ErrorCode);
    }

    [Fact]
    public void A_full_pending_queue_refuses_requests_without_token()
    {
        using var authority = NewAuthority();
        var enrollment = new AgentEnrollment(authority.SignAgent, _ => true);
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("web-3", null, enrollment)));

        agent.Tell(new RequestEnrollment("web-3", "Web", "web-host", "linux", "x86_64", Csr(), null, "secret-hash"));

        Assert.Equal("PENDING_FULL", ExpectMsg<EnrollmentReply>(Patience).ErrorCode);
        Assert.Empty(JournalRows("agent-web-3"));
    }

    [Fact]
    public void Samples_already_stored_or_seen_are_not_stored_again_and_heartbeats_reattach_a_connection()
    {
        using var authority = NewAuthority();
        var (agent, serial) = EnrolledAgent(authority, "web-4");
        var connection = CreateTestProbe();
        var at = new DateTime(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
        var stored = new HashSet<long> { new DateTimeOffset(at).ToUnixTimeMilliseconds() };
        agent.Tell(new AdmitConnection("web-4", serial, connection.Ref, "1.0.0", 2, 0, stored));
        ExpectMsg<AgentReply>(Patience);

        agent.Tell(new OfferSample("web-4", connection.Ref, 1, at));
        Assert.Equal(new SampleVerdict(1, false, null), ExpectMsg<SampleVerdict>(Patience));
        agent.Tell(new OfferSample("web-4", connection.Ref, 2, at.AddSeconds(1)));
        Assert.Equal(new SampleVerdict(2, true, null), ExpectMsg<SampleVerdict>(Patience));
        agent.Tell(new OfferSample("web-4", connection.Ref, 2, at.AddSeconds(1)));
        Assert.Equal(new SampleVerdict(2, false, null), ExpectMsg<SampleVerdict>(Patience));

        // A new incarnation of the entity learns its connection again from the next heartbeat.
        Stop(agent);
        var again = Sys.ActorOf(Props.Create(() => new AgentActor("web-4", null, Enrollment(authority))));
        again.Tell(new AgentHeartbeat("web-4", connection.Ref, 7, 1));
        again.Tell(new GetAgent("web-4"));
        var view = ExpectMsg<AgentLookup>(Patience).Agent;
        Assert.Equal(("online", 7L, 1L), (view?.Status, view?.Buffered, view?.Dropped));
    }

    [Fact]
    public void Removing_an_agent_closes_its_connection_resolves_its_alerts_and_forgets_it()
    {
        using var authority = NewAuthority();
        var config = Sys.ActorOf(AlertConfigActor.PropsFor());
        config.Tell(new ChangeThresholds([new ThresholdChange(AlertType.Memory, 40, 60)]));
        ExpectMsg<ThresholdsAccepted>(Patience);
        var listener = CreateTestProbe();
        var rules = new AlertRules(config, new AlertRuleSettings(TimeSpan.Zero, 2), 100, listener.Ref, new AlertBoard(Database));
        var enrollment = Enrollment(authority);
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("web-5", rules, enrollment)));
        agent.Tell(new RequestEnrollment("web-5", "Web", "web-host", "linux", "x86_64", Csr(), null, "secret-hash"));
        ExpectMsg<EnrollmentReply>(Patience);
        agent.Tell(new ApproveAgent("web-5", "alice"));
        var serial = ExpectMsg<AgentReply>(Patience).Agent!.Certificate!.Serial;
        var connection = CreateTestProbe();
        agent.Tell(new AdmitConnection("web-5", serial, connection.Ref, "1.0.0", 0, 0, new HashSet<long>()));
        ExpectMsg<AgentReply>(Patience);
        var sample = MetricsSample.Empty("web-5", DateTime.UtcNow) with { Memory = MemorySection.Empty with { Total = 1_000, Used = 500 } };
        AwaitAssert(() =>
        {
            agent.Tell(new RecordSample("web-5", sample with { Timestamp = DateTime.UtcNow }));
            listener.ExpectMsg<AlertRaised>(TimeSpan.FromMilliseconds(500));
        }, Patience);

        agent.Tell(new RemoveAgent("web-5", "alice"));

        Assert.Equal("web-5", ExpectMsg<AgentReply>(Patience).Agent?.Id);
        Assert.Equal("AGENT_REMOVED", connection.ExpectMsg<CloseAgentConnection>(Patience).Code);
        listener.FishForMessage(m => m is AlertResolved, Patience);
        agent.Tell(new GetAgent("web-5"));
        Assert.Null(ExpectMsg<AgentLookup>(Patience).Agent);
    }

    private (IActorRef Agent, string Serial) EnrolledAgent(CertificateAuthority authority, string agentId)
    {
        var enrollment = Enrollment(authority);
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor(agentId, null, enrollment)));
        agent.Tell(new RequestEnrollment(agentId, "Web", "web-host", "linux", "x86_64", Csr(), null, "secret-hash"));
        ExpectMsg<EnrollmentReply>(Patience);
        agent.Tell(new ApproveAgent(agentId, "alice"));
        return (agent, ExpectMsg<AgentReply>(Patience).Agent!.Certificate!.Serial);
    }

    private static AgentEnrollment Enrollment(CertificateAuthority authority) => new(authority.SignAgent, _ => false);

    private static CertificateAuthority NewAuthority() =>
        CertificateAuthority.LoadOrCreate(Directory.CreateTempSubdirectory("tyto-ca-").FullName, TimeProvider.System);

    private static string Csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
