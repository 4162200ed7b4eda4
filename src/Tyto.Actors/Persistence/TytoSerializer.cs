using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;

namespace Tyto.Actors.Persistence;

/// <summary>
/// Serializes Tyto's persisted events and snapshots as JSON under a stable string manifest, so journal rows
/// carry no .NET type names and survive renames.
/// </summary>
public sealed class TytoSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, Manifests, Json)
{
    public const int SerializerId = 7301;

    /// <summary>Enums as their names, so reordering an enum never changes what stored events mean.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Every persisted type and its manifest; a manifest never changes once released.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["agent-registered.v1"] = typeof(AgentRegistered),
        ["agent-pre-registered.v1"] = typeof(AgentPreRegistered),
        ["enrollment-requested.v1"] = typeof(EnrollmentRequested),
        ["enrollment-token-used.v1"] = typeof(EnrollmentTokenUsed),
        ["agent-approved.v1"] = typeof(AgentApproved),
        ["agent-rejected.v1"] = typeof(AgentRejected),
        ["certificate-issued.v1"] = typeof(CertificateIssued),
        ["agent-connected.v1"] = typeof(AgentConnected),
        ["agent-disconnected.v1"] = typeof(AgentDisconnected),
        ["agent-revoked.v1"] = typeof(AgentRevoked),
        ["agent-removed.v1"] = typeof(AgentRemoved),
        ["agent-state.v2"] = typeof(AgentState),
        ["refresh-interval-changed.v1"] = typeof(RefreshIntervalChanged),
        ["collection-settings.v1"] = typeof(CollectionSettings),
        ["thresholds-changed.v1"] = typeof(ThresholdsChanged),
        ["alert-thresholds.v1"] = typeof(AlertThresholds),
        ["alert-raised.v1"] = typeof(AlertRaised),
        ["alert-level-changed.v1"] = typeof(AlertLevelChanged),
        ["alert-acknowledged.v1"] = typeof(AlertAcknowledged),
        ["alert-resolved.v1"] = typeof(AlertResolved),
        ["alert-rule-state.v1"] = typeof(AlertRuleState),
    };

    public override int Identifier => SerializerId;
}
