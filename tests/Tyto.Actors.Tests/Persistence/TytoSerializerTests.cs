using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Persistence;

public sealed class TytoSerializerTests() : Akka.TestKit.Xunit2.TestKit(SqliteTestKit.SerializationConfig)
{
    private static readonly DateTime At = new(2026, 11, 27, 1, 50, 12, 345, DateTimeKind.Utc);

    /// <summary>One instance of every persisted type, with no field left at its default.</summary>
    private static readonly Dictionary<Type, object> Samples = new Dictionary<Type, object>
    {
        [typeof(AgentRegistered)] = new AgentRegistered("a1", "Build box", "host-a", "linux", "x86_64", At),
        [typeof(AgentPreRegistered)] = new AgentPreRegistered("a1", "Build box", "9f86d081884c7d65", At.AddHours(24), "alice", At),
        [typeof(EnrollmentRequested)] = new EnrollmentRequested("a1", "Build box", "host-a", "linux", "aarch64", "-----BEGIN CERTIFICATE REQUEST-----", "5e884898da28", At),
        [typeof(EnrollmentTokenUsed)] = new EnrollmentTokenUsed("a1", At),
        [typeof(AgentApproved)] = new AgentApproved("a1", "alice", At),
        [typeof(AgentRejected)] = new AgentRejected("a1", "bob", At),
        [typeof(CertificateIssued)] = new CertificateIssued("a1", "4F2A01", At.AddDays(365), "-----BEGIN CERTIFICATE-----", At),
        [typeof(AgentConnected)] = new AgentConnected("a1", "1.2.0", At),
        [typeof(AgentDisconnected)] = new AgentDisconnected("a1", At),
        [typeof(AgentRevoked)] = new AgentRevoked("a1", "4F2A01", "alice", At),
        [typeof(AgentRemoved)] = new AgentRemoved("a1", "alice", At),
        [typeof(AgentState)] = new AgentState(
            "a1", AgentPhase.Revoked, "Build box", "host-a", "linux", "aarch64", At, "9f86d081884c7d65", At.AddHours(24), "-----BEGIN CERTIFICATE REQUEST-----",
            "5e884898da28", At.AddMinutes(1), new AgentCertificate("4F2A01", At.AddDays(365), "-----BEGIN CERTIFICATE-----"), "1.2.0"),
        [typeof(RefreshIntervalChanged)] = new RefreshIntervalChanged(5, At),
        [typeof(CollectionSettings)] = new CollectionSettings(5),
        [typeof(ThresholdsChanged)] = new ThresholdsChanged(new AlertThresholds(new Threshold(70, 90), new Threshold(60, 80), new Threshold(50, 75)), At),
        [typeof(AlertThresholds)] = new AlertThresholds(new Threshold(70, 90), new Threshold(60, 80), new Threshold(50, 75)),
        [typeof(AlertRaised)] = new AlertRaised("a1:disk:/var:3", "a1", AlertType.Disk, "/var", AlertLevel.Critical, 93.5, 90, At),
        [typeof(AlertLevelChanged)] = new AlertLevelChanged("a1:cpu:1", AlertLevel.Warning, 88.25, 80, At),
        [typeof(AlertAcknowledged)] = new AlertAcknowledged("a1:cpu:1", "alice", At),
        [typeof(AlertResolved)] = new AlertResolved("a1:cpu:1", 61.5, At),
        [typeof(AlertRuleState)] = new AlertRuleState(
            "a1", AlertType.Memory, null, new ActiveAlert("a1:memory:2", "a1", AlertType.Memory, null, AlertLevel.Warning, 86, 85, At, "alice", At.AddMinutes(1)),
            2, AlertLevel.Critical, At.AddSeconds(5)),
    };

    public static TheoryData<string> Manifests => [.. TytoSerializer.Manifests.Keys];

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_persisted_type_survives_a_round_trip(string manifest)
    {
        var serializer = new TytoSerializer((ExtendedActorSystem)Sys);
        Assert.True(Samples.TryGetValue(TytoSerializer.Manifests[manifest], out var sample), $"no sample instance for {manifest}");

        var bytes = serializer.ToBinary(sample);

        Assert.Equal(manifest, serializer.Manifest(sample));
        Assert.Equal(sample, serializer.FromBinary(bytes, manifest));
        // The journal row names no .NET type.
        Assert.DoesNotContain("Tyto", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Akka_picks_the_tyto_serializer_for_every_persisted_type(string manifest)
    {
        var sample = Samples[TytoSerializer.Manifests[manifest]];

        var serializer = Sys.Serialization.FindSerializerFor(sample);

        Assert.IsType<TytoSerializer>(serializer);
        Assert.Equal(TytoSerializer.SerializerId, serializer.Identifier);
    }

    [Fact]
    public void Enums_are_stored_by_name()
    {
        var serializer = new TytoSerializer((ExtendedActorSystem)Sys);

        var json = Encoding.UTF8.GetString(serializer.ToBinary(Samples[typeof(AlertRaised)]));

        Assert.Contains("\"type\":\"Disk\"", json, StringComparison.Ordinal);
        Assert.Contains("\"level\":\"Critical\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifests_are_unique_and_versioned()
    {
        Assert.Equal(TytoSerializer.Manifests.Count, TytoSerializer.Manifests.Values.Distinct().Count());
        Assert.All(TytoSerializer.Manifests.Keys, m => Assert.Matches(@"^[a-z-]+\.v[0-9]+$", m));
    }

    [Fact]
    public void Unknown_manifest_and_unregistered_type_are_refused()
    {
        var serializer = new TytoSerializer((ExtendedActorSystem)Sys);

        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "agent-renamed.v1"));
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new ChangeRefreshInterval(5)));
    }
}
