using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Remote.Serialization;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;
using Tyto.Actors.Logs;
using Tyto.Actors.Persistence;
using Tyto.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Persistence;

/// <summary>
/// Every message that crosses nodes goes through <see cref="TytoMessageSerializer"/>. The actor system here refuses
/// Akka's default serializer (as the server does) and serializes every message it delivers
/// (<c>serialize-messages</c>), so a message Tyto's serializers do not cover fails here as it would between nodes.
/// </summary>
public sealed class TytoMessageSerializerTests() : Akka.TestKit.Xunit2.TestKit(Config)
{
    private static readonly DateTime At = new(2026, 11, 27, 1, 50, 12, 345, DateTimeKind.Utc);

    private static readonly Config Config = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on")
        .WithFallback(SqliteTestKit.SerializationConfig)
        .WithFallback(ClusterSharding.DefaultConfig());

    public static TheoryData<string> Manifests => [.. TytoMessageSerializer.Manifests.Keys];

    public static TheoryData<string> ShardedManifests =>
        [.. TytoMessageSerializer.Manifests.Where(m => typeof(IWithAgentId).IsAssignableFrom(m.Value)).Select(m => m.Key)];

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_message_survives_a_round_trip(string manifest)
    {
        var serializer = new TytoMessageSerializer((ExtendedActorSystem)Sys);
        var sample = Sample(TytoMessageSerializer.Manifests[manifest]);

        var bytes = serializer.ToBinary(sample);
        var copy = serializer.FromBinary(bytes, manifest);

        Assert.Equal(manifest, serializer.Manifest(sample));
        Assert.IsType(sample.GetType(), copy);
        // Records holding lists compare those by reference: the copy must serialize as the original did.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(copy)));
        Assert.DoesNotContain("$type", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.DoesNotContain("Tyto.", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Akka_picks_the_tyto_message_serializer_for_every_message(string manifest)
    {
        var serializer = Sys.Serialization.FindSerializerFor(Sample(TytoMessageSerializer.Manifests[manifest]));

        Assert.IsType<TytoMessageSerializer>(serializer);
        Assert.Equal(TytoMessageSerializer.SerializerId, serializer.Identifier);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_message_is_delivered_through_its_serializer(string manifest)
    {
        var sample = Sample(TytoMessageSerializer.Manifests[manifest]);
        var serializer = new TytoMessageSerializer((ExtendedActorSystem)Sys);

        TestActor.Tell(sample);

        // serialize-messages hands the actor what the serializer made of the message, as the receiving node would get it.
        var delivered = ExpectMsg<object>();
        Assert.NotSame(sample, delivered);
        Assert.Equal(Encoding.UTF8.GetString(serializer.ToBinary(sample)), Encoding.UTF8.GetString(serializer.ToBinary(delivered)));
    }

    [Theory]
    [MemberData(nameof(ShardedManifests))]
    public void A_sharding_envelope_carries_the_message_under_its_manifest(string manifest)
    {
        var message = (IWithAgentId)Sample(TytoMessageSerializer.Manifests[manifest]);
        var envelope = new ShardingEnvelope(message.AgentId, message);

        var serializer = Sys.Serialization.FindSerializerFor(envelope);
        var bytes = serializer.ToBinary(envelope);
        var copy = (ShardingEnvelope)Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, envelope));

        Assert.IsNotType<TytoMessageSerializer>(serializer);
        Assert.Contains(manifest, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(message.AgentId, copy.EntityId);
        var messages = new TytoMessageSerializer((ExtendedActorSystem)Sys);
        Assert.Equal(Encoding.UTF8.GetString(messages.ToBinary(message)), Encoding.UTF8.GetString(messages.ToBinary(copy.Message)));
    }

    [Fact]
    public void Every_message_type_has_a_manifest()
    {
        var messageTypes = typeof(ITytoMessage).Assembly.GetTypes().Concat(typeof(TytoMessageSerializer).Assembly.GetTypes())
            .Where(t => typeof(ITytoMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToList();
        var shardedTypes = messageTypes.Where(typeof(IWithAgentId).IsAssignableFrom).ToList();

        Assert.Contains(typeof(AdmitConnection), shardedTypes);
        Assert.Contains(typeof(RegisterHost), shardedTypes);
        Assert.All(messageTypes, t => Assert.Contains(t, TytoMessageSerializer.Manifests.Values));
        Assert.All(TytoMessageSerializer.Manifests.Values, t => Assert.Contains(t, messageTypes));
    }

    [Fact]
    public void No_message_is_also_a_journal_type()
    {
        // A type bound to both serializers would leave Akka to pick one of them.
        Assert.All(TytoMessageSerializer.Manifests.Values, t =>
        {
            Assert.False(typeof(ITytoEvent).IsAssignableFrom(t), $"{t.Name} is an event");
            Assert.False(typeof(ITytoSnapshot).IsAssignableFrom(t), $"{t.Name} is a snapshot");
        });
        Assert.Empty(TytoMessageSerializer.Manifests.Keys.Intersect(TytoSerializer.Manifests.Keys));
    }

    [Fact]
    public void Manifests_are_unique_and_versioned()
    {
        Assert.Equal(TytoMessageSerializer.Manifests.Count, TytoMessageSerializer.Manifests.Values.Distinct().Count());
        Assert.All(TytoMessageSerializer.Manifests.Keys, m => Assert.Matches(@"^[a-z-]+\.v[0-9]+$", m));
    }

    [Fact]
    public void An_actor_reference_resolves_to_the_same_actor()
    {
        var serializer = new TytoMessageSerializer((ExtendedActorSystem)Sys);
        var connection = CreateTestProbe();
        var offer = new OfferSample("a1", connection.Ref, 7, At);

        var copy = (OfferSample)serializer.FromBinary(serializer.ToBinary(offer), serializer.Manifest(offer));
        copy.Connection.Tell(new CloseAgentConnection("REPLACED", "Another connection of the same agent replaced this one"));

        Assert.Equal(connection.Ref, copy.Connection);
        Assert.Equal("REPLACED", connection.ExpectMsg<CloseAgentConnection>().Code);
    }

    [Fact]
    public void A_store_failure_reaches_an_asker_on_another_node_with_its_cause()
    {
        // Status.Failure crosses nodes with Akka's own serializer, which rebuilds the exception it holds.
        var serializer = new MiscMessageSerializer((ExtendedActorSystem)Sys);
        var failure = new Status.Failure(new StoreUnavailableException("The database cannot take the change now; try again later", new IOException("disk full")));

        var copy = (Status.Failure)serializer.FromBinary(serializer.ToBinary(failure), serializer.Manifest(failure));

        var cause = Assert.IsType<StoreUnavailableException>(copy.Cause);
        Assert.Equal(failure.Cause.Message, cause.Message);
        Assert.Equal("disk full", Assert.IsType<IOException>(cause.InnerException).Message);
    }

    [Fact]
    public void A_message_no_serializer_binds_is_refused_not_sent_as_default_json()
    {
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.FindSerializerFor(new Unbound("a1")));

        Assert.Contains("allow-unregistered-types", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_manifest_and_unregistered_type_are_refused()
    {
        var serializer = new TytoMessageSerializer((ExtendedActorSystem)Sys);

        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "agent-renamed.v1"));
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new Unbound("a1")));
    }

    /// <summary>One instance of a message type, with no field left at its default.</summary>
    private object Sample(Type type)
    {
        var connection = TestActor;
        var view = new AgentView(
            "a1", "Build box", "host-a", "online", "x86_64", "linux", At, At.AddDays(-3), 12, 3, "1.2.0", new AgentCertificateView("4F2A01", At.AddDays(365)));
        var thresholds = new AlertThresholds(new Threshold(70, 90), new Threshold(60, 80), new Threshold(50, 75));
        var alert = new ActiveAlert("a1:memory:2", "a1", AlertType.Memory, "/var", AlertLevel.Warning, 86, 85, At, "alice", At.AddMinutes(1));
        var listing = new ProcessListing(4242, "postgres", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg", "postgres", "S", 12.5, 104_857_600, 9);
        var entry = new LogEntry(At, LogSourceKind.Journal, "sshd.service", LogSeverity.Warning, "Failed password for root", new Dictionary<string, string> { ["pid"] = "812" });
        return type.Name switch
        {
            nameof(RegisterHost) => new RegisterHost("a1", connection, "host-a", "aarch64"),
            nameof(RecordSample) => new RecordSample("a1", FullSample()),
            nameof(GetAgent) => new GetAgent("a1"),
            nameof(GetLatestSample) => new GetLatestSample("a1"),
            nameof(QueryProcess) => new QueryProcess("a1", 4242),
            nameof(QueryProcesses) => new QueryProcesses("a1", new ListProcesses(ProcessSort.Memory, 20, "postgres", "wal")),
            nameof(SendProcessSignal) => new SendProcessSignal("a1", 4242, 15),
            nameof(AcknowledgeAgentAlert) => new AcknowledgeAgentAlert("a1", "a1:disk:/var:3", AlertType.Disk, "/var", "alice"),
            nameof(PreRegisterAgent) => new PreRegisterAgent("a1", "Build box", "9f86d081884c7d65", At.AddHours(24), "alice"),
            nameof(RequestEnrollment) => new RequestEnrollment(
                "a1", "Build box", "host-a", "linux", "aarch64", "-----BEGIN CERTIFICATE REQUEST-----", "9f86d081884c7d65", "5e884898da28"),
            nameof(PollEnrollment) => new PollEnrollment("a1", "5e884898da28"),
            nameof(ApproveAgent) => new ApproveAgent("a1", "alice"),
            nameof(RejectAgent) => new RejectAgent("a1", "bob"),
            nameof(RevokeAgent) => new RevokeAgent("a1", "alice"),
            nameof(RemoveAgent) => new RemoveAgent("a1", "bob"),
            nameof(AdmitConnection) => new AdmitConnection("a1", "4F2A01", connection, "1.2.0", 12, 3, new HashSet<long> { 1_796_000_000_000, 1_796_000_005_000 }),
            nameof(AgentHeartbeat) => new AgentHeartbeat("a1", connection, 12, 3),
            nameof(OfferSample) => new OfferSample("a1", connection, 7, At),
            nameof(AgentLookup) => new AgentLookup(view),
            nameof(LatestSample) => new LatestSample(FullSample()),
            nameof(AgentUnavailable) => new AgentUnavailable("a1", true),
            nameof(EnrollmentReply) => new EnrollmentReply("-----BEGIN CERTIFICATE-----", "INVALID_CSR", "The CSR is not signed by its key"),
            nameof(AgentReply) => new AgentReply(view, "NOT_PENDING", "Agent 'a1' is not pending"),
            nameof(SampleVerdict) => new SampleVerdict(7, true, "AGENT_REVOKED"),
            nameof(AcknowledgeResult) => new AcknowledgeResult("a1:memory:2", alert),
            nameof(CloseAgentConnection) => new CloseAgentConnection("AGENT_REVOKED", "The certificate of agent 'a1' was revoked"),
            nameof(GetProcessDetails) => new GetProcessDetails(4242),
            nameof(ProcessDetailsResult) => new ProcessDetailsResult(
                new ProcessDetails(4242, "postgres", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg", "postgres", "S", 12.5, 104_857_600, 9, At.AddHours(-5))),
            nameof(ListProcesses) => new ListProcesses(ProcessSort.Name, 50, "root", "ssh"),
            nameof(ProcessList) => new ProcessList(At, 312, 1, [listing]),
            nameof(SignalProcess) => new SignalProcess(4242, 9),
            nameof(SignalProcessResult) => new SignalProcessResult(SignalOutcome.NotPermitted),
            nameof(GetCollectionSettings) => GetCollectionSettings.Instance,
            nameof(ChangeRefreshInterval) => new ChangeRefreshInterval(5),
            nameof(SubscribeToCollectionSettings) => new SubscribeToCollectionSettings(connection),
            nameof(GetThresholds) => GetThresholds.Instance,
            nameof(ChangeThresholds) => new ChangeThresholds([new ThresholdChange(AlertType.Cpu, 70, 90), new ThresholdChange(AlertType.Disk, 75.5, 92)]),
            nameof(ThresholdsAccepted) => new ThresholdsAccepted(thresholds),
            nameof(ThresholdsRejected) => new ThresholdsRejected([new ThresholdProblem("cpu.warning", "must be below the critical line (90)")]),
            nameof(SubscribeToThresholds) => new SubscribeToThresholds(connection),
            nameof(MetricsSample) => FullSample(),
            nameof(StoredLogLines) => new StoredLogLines([new StoredLogEntry("log-1796000000000001", "a1", entry)]),
            _ => throw new InvalidOperationException($"no sample instance for {type.Name}"),
        };
    }

    /// <summary>A sample with every section filled, GPUs, containers and services included.</summary>
    private static MetricsSample FullSample() => new(
        "a1",
        At,
        new SystemSection("host-a", "6.8.0-49-generic", 86_400, "x86_64"),
        new CpuSection([new CpuCore(0, 42.5, 2_400), new CpuCore(1, 7.25, 3_100)], 24.875, new LoadAverage(0.5, 0.75, 1.25)),
        new MemorySection(16_000_000_000, 9_000_000_000, 1_000_000_000, 6_500_000_000, 250_000_000, 4_000_000_000, 2_000_000_000, 100_000_000),
        new DiskSection([new MountUsage("/dev/sda1", "/", "ext4", 500_000_000_000, 300_000_000_000, 200_000_000_000)], [new DiskIo("sda", 1_000, 2_000, 10.5, 20.5)]),
        new NetworkSection([new NetworkInterfaceSample("eth0", "10.0.0.2", "fe80::1", 1_000_000, 2_000_000, 1_250.5, 2_500.25)], 57),
        new ProcessesSection([new ProcessSample(4242, "postgres", "postgres", 12.5, 104_857_600)], [new ProcessSample(17, "java", "app", 3.5, 2_147_483_648)], 312),
        new TemperatureSection([new TemperatureSensor("Package id 0", 54, 80, 100)]),
        new GpuSection(true, [new GpuSample(0, "NVIDIA H200", "nvidia", 87.5, 70_000_000_000, 141_000_000_000, 61, 412.5)], "driver 570"),
        new DockerSection(true, [new ContainerSample("3f2a", "db", "postgres:15", "running", 4.5, 536_870_912)], "engine 27.3"),
        new SystemdSection(true, [new ServiceSample("sshd.service", "active", "running", "OpenSSH server daemon")], "systemd 255"));

    /// <summary>A message no serializer is bound to, as a new one would be before its binding.</summary>
    private sealed record Unbound(string AgentId);
}
