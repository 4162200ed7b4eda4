using System.Text.Json;
using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;
using Tyto.Actors.Logs;
using Tyto.Collection;

namespace Tyto.Actors.Persistence;

/// <summary>
/// Serializes the messages that cross the nodes of a cluster (<see cref="ITytoMessage"/>) as JSON under a stable string
/// manifest, as <see cref="TytoSerializer"/> does for the journal: no .NET type names go over the wire, and nodes of
/// two releases understand each other as long as a manifest keeps its meaning. Actor references travel as their paths.
/// </summary>
public sealed class TytoMessageSerializer(ExtendedActorSystem system) : JsonManifestSerializer(
    system, Manifests, new JsonSerializerOptions(TytoSerializer.Json) { Converters = { new ActorRefJsonConverter(system), new ReadOnlySetJsonConverter() } })
{
    public const int SerializerId = 7302;

    /// <summary>Every cross-node message type and its manifest; a manifest never changes once released.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        // To an agent's entity, wherever its shard lives.
        ["register-host.v1"] = typeof(RegisterHost),
        ["record-sample.v1"] = typeof(RecordSample),
        ["get-agent.v1"] = typeof(GetAgent),
        ["get-latest-sample.v1"] = typeof(GetLatestSample),
        ["query-process.v1"] = typeof(QueryProcess),
        ["query-processes.v1"] = typeof(QueryProcesses),
        ["send-process-signal.v1"] = typeof(SendProcessSignal),
        ["acknowledge-agent-alert.v1"] = typeof(AcknowledgeAgentAlert),
        ["pre-register-agent.v1"] = typeof(PreRegisterAgent),
        ["request-enrollment.v1"] = typeof(RequestEnrollment),
        ["poll-enrollment.v1"] = typeof(PollEnrollment),
        ["approve-agent.v1"] = typeof(ApproveAgent),
        ["reject-agent.v1"] = typeof(RejectAgent),
        ["revoke-agent.v1"] = typeof(RevokeAgent),
        ["remove-agent.v1"] = typeof(RemoveAgent),
        ["admit-connection.v1"] = typeof(AdmitConnection),
        ["agent-heartbeat.v1"] = typeof(AgentHeartbeat),
        ["offer-sample.v1"] = typeof(OfferSample),

        // From an agent's entity: its answers, and what it tells its host link (a monitor or an agent's connection).
        ["agent-lookup.v1"] = typeof(AgentLookup),
        ["latest-sample.v1"] = typeof(LatestSample),
        ["agent-unavailable.v1"] = typeof(AgentUnavailable),
        ["enrollment-reply.v1"] = typeof(EnrollmentReply),
        ["agent-reply.v1"] = typeof(AgentReply),
        ["sample-verdict.v1"] = typeof(SampleVerdict),
        ["acknowledge-result.v1"] = typeof(AcknowledgeResult),
        ["close-agent-connection.v1"] = typeof(CloseAgentConnection),
        ["get-process-details.v1"] = typeof(GetProcessDetails),
        ["process-details-result.v1"] = typeof(ProcessDetailsResult),
        ["list-processes.v1"] = typeof(ListProcesses),
        ["process-list.v1"] = typeof(ProcessList),
        ["signal-process.v1"] = typeof(SignalProcess),
        ["signal-process-result.v1"] = typeof(SignalProcessResult),

        // To and from the singletons; the states they answer and push are snapshots, serialized by TytoSerializer.
        ["get-collection-settings.v1"] = typeof(GetCollectionSettings),
        ["change-refresh-interval.v1"] = typeof(ChangeRefreshInterval),
        ["subscribe-to-collection-settings.v1"] = typeof(SubscribeToCollectionSettings),
        ["get-thresholds.v1"] = typeof(GetThresholds),
        ["change-thresholds.v1"] = typeof(ChangeThresholds),
        ["thresholds-accepted.v1"] = typeof(ThresholdsAccepted),
        ["thresholds-rejected.v1"] = typeof(ThresholdsRejected),
        ["subscribe-to-thresholds.v1"] = typeof(SubscribeToThresholds),

        // Published to every node's live clients; alert events are journal events, serialized by TytoSerializer.
        ["metrics-sample.v1"] = typeof(MetricsSample),
        ["stored-log-lines.v1"] = typeof(StoredLogLines),
    };

    public override int Identifier => SerializerId;
}
