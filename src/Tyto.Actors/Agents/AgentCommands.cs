using Akka.Actor;
using Tyto.Actors.Alerts;
using Tyto.Collection;

namespace Tyto.Actors.Agents;

/// <summary>Records the latest sample of an agent (kept in memory only).</summary>
public sealed record RecordSample(string AgentId, MetricsSample Sample) : IWithAgentId;

/// <summary>Asks for an agent's description; the answer is an <see cref="AgentLookup"/>.</summary>
public sealed record GetAgent(string AgentId) : IWithAgentId;

/// <summary>Asks for the latest sample of an agent; the answer is a <see cref="LatestSample"/>.</summary>
public sealed record GetLatestSample(string AgentId) : IWithAgentId;

/// <summary>Asks an agent's host for one process's details; the answer is a <see cref="ProcessDetailsResult"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record QueryProcess(string AgentId, int Pid) : IWithAgentId;

/// <summary>Asks an agent's host for its process list; the answer is a <see cref="ProcessList"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record QueryProcesses(string AgentId, ListProcesses Query) : IWithAgentId;

/// <summary>Sends a signal to a process of an agent's host; the answer is a <see cref="SignalProcessResult"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record SendProcessSignal(string AgentId, int Pid, int Signal) : IWithAgentId;

/// <summary>Acknowledges an alert of one of the agent's rules; the answer is an <see cref="Alerts.AcknowledgeResult"/>.</summary>
public sealed record AcknowledgeAgentAlert(string AgentId, string AlertId, AlertType Type, string? Mount, string By) : IWithAgentId;

/// <summary>An agent as clients see it; null <see cref="Agent"/> where no such agent exists.</summary>
public sealed record AgentLookup(AgentView? Agent) : ITytoMessage;

/// <summary>
/// An agent as the API shows it. <see cref="Status"/> is <c>online</c>, <c>offline</c>, <c>pending</c> or <c>revoked</c>;
/// <see cref="Buffered"/> and <see cref="Dropped"/> are the samples its outbox holds and has had to let go, as it last said.
/// </summary>
public sealed record AgentView(
    string Id, string Name, string Hostname, string Status, string Architecture, string Os, DateTime? LastSeen, DateTime RegisteredAt,
    long Buffered, long Dropped, string? Version, AgentCertificateView? Certificate);

/// <summary>The certificate an agent connects with.</summary>
public sealed record AgentCertificateView(string Serial, DateTime ExpiresAt);

public sealed record LatestSample(MetricsSample? Sample) : ITytoMessage;

/// <summary>The agent exists but cannot take commands now (unknown, or its host is not connected).</summary>
public sealed record AgentUnavailable(string AgentId, bool Known) : ITytoMessage;

/// <summary>
/// Pre-registers an agent that will enroll with a one-time token (only its SHA-256 hash is kept); the answer is an
/// <see cref="AgentReply"/>: the new agent, or <c>AGENT_EXISTS</c>.
/// </summary>
public sealed record PreRegisterAgent(string AgentId, string Name, string TokenHash, DateTime TokenExpiresAt, string By) : IWithAgentId;

/// <summary>
/// An agent asks to enroll with its CSR (PEM). With the hash of a valid, unused token of this agent it is approved and its
/// certificate issued at once; without one it waits for an operator, polling with the secret whose hash it sent. The
/// answer is an <see cref="EnrollmentReply"/>.
/// </summary>
public sealed record RequestEnrollment(
    string AgentId, string Name, string Hostname, string Os, string Architecture, string Csr, string? TokenHash, string? SecretHash) : IWithAgentId;

/// <summary>A pending agent asks how its request stands; the answer is an <see cref="EnrollmentReply"/>.</summary>
public sealed record PollEnrollment(string AgentId, string SecretHash) : IWithAgentId;

/// <summary>
/// An enrollment's outcome: <see cref="Certificate"/> (PEM) when approved, neither it nor <see cref="ErrorCode"/>
/// while pending, or an error code of the API (<c>INVALID_TOKEN</c>, <c>INVALID_CSR</c>, <c>ENROLLMENT_REJECTED</c>,
/// <c>AGENT_REVOKED</c>, <c>AGENT_EXISTS</c>, <c>PENDING_FULL</c>, <c>NOT_FOUND</c>) with its message.
/// </summary>
public sealed record EnrollmentReply(string? Certificate, string? ErrorCode, string? Message) : ITytoMessage
{
    public bool Pending => Certificate is null && ErrorCode is null;
}

/// <summary>An operator approves a pending agent: its certificate is issued from the CSR it sent. The answer is an <see cref="AgentReply"/>.</summary>
public sealed record ApproveAgent(string AgentId, string By) : IWithAgentId;

/// <summary>An operator rejects a pending agent; its request is forgotten. The answer is an <see cref="AgentReply"/>.</summary>
public sealed record RejectAgent(string AgentId, string By) : IWithAgentId;

/// <summary>
/// Revokes an agent's certificate: its live connection closes and every later handshake or poll with it fails. The
/// answer is an <see cref="AgentReply"/>.
/// </summary>
public sealed record RevokeAgent(string AgentId, string By) : IWithAgentId;

/// <summary>Removes an agent: it disappears from lists, its connection closes, its alerts resolve. The answer is an <see cref="AgentReply"/>.</summary>
public sealed record RemoveAgent(string AgentId, string By) : IWithAgentId;

/// <summary>The agent after a command, or the API error code (<c>NOT_FOUND</c>, <c>AGENT_EXISTS</c>, <c>NOT_PENDING</c>, ...) that refused it.</summary>
public sealed record AgentReply(AgentView? Agent, string? ErrorCode, string? Message) : ITytoMessage;

/// <summary>
/// A channel connection asks to carry an agent's samples: its certificate serial must be the agent's current one and not
/// revoked. <see cref="Connection"/> then answers the agent's commands and gets a <see cref="CloseAgentConnection"/>
/// when the agent is revoked or removed. <see cref="Stored"/> are the sample timestamps (Unix ms) history already holds
/// from the agent's oldest buffered sample on, so nothing is stored twice. The answer is an <see cref="AgentReply"/>.
/// </summary>
public sealed record AdmitConnection(
    string AgentId, string Serial, IActorRef Connection, string Version, long Buffered, long Dropped, IReadOnlySet<long> Stored) : IWithAgentId;

/// <summary>An admitted connection reports the agent's outbox, at every heartbeat; it also re-attaches a connection an entity lost.</summary>
public sealed record AgentHeartbeat(string AgentId, IActorRef Connection, long Buffered, long Dropped) : IWithAgentId;

/// <summary>
/// An admitted connection asks whether a sample is new; the answer is a <see cref="SampleVerdict"/>. A new one is then run
/// into the metrics hub by the connection, which acknowledges it to the agent once the hub has taken it.
/// </summary>
public sealed record OfferSample(string AgentId, IActorRef Connection, long Seq, DateTime Timestamp) : IWithAgentId;

/// <summary>Whether to store the sample (<see cref="Store"/>), acknowledge it without storing (a duplicate), or refuse it (<see cref="ErrorCode"/>).</summary>
public sealed record SampleVerdict(long Seq, bool Store, string? ErrorCode) : ITytoMessage;

/// <summary>Tells a connection to end: the agent was revoked or removed, or another connection replaced it.</summary>
public sealed record CloseAgentConnection(string Code, string Message) : ITytoMessage;
