namespace Tyto.Actors.Agents;

/// <summary>An event in an agent's lifecycle; tagged <c>agent</c> in the journal.</summary>
public interface IAgentEvent : ITytoEvent
{
    string AgentId { get; }

    DateTime At { get; }
}

/// <summary>A server node's own host became known: approved from the start, it needs no certificate.</summary>
public sealed record AgentRegistered(string AgentId, string Name, string Hostname, string Os, string Architecture, DateTime At) : IAgentEvent;

/// <summary>An operator added an agent that will enroll with a one-time token; only the token's SHA-256 hash is kept.</summary>
public sealed record AgentPreRegistered(string AgentId, string Name, string TokenHash, DateTime TokenExpiresAt, string By, DateTime At) : IAgentEvent;

/// <summary>
/// An agent asked to enroll with its CSR: with a token it is approved in the same breath; without one (<see cref="SecretHash"/>
/// set) it waits for an operator, polling with the secret whose hash it sent.
/// </summary>
public sealed record EnrollmentRequested(
    string AgentId, string Name, string Hostname, string Os, string Architecture, string Csr, string? SecretHash, DateTime At) : IAgentEvent;

/// <summary>The agent's pre-registration token was presented and accepted: it cannot be used again.</summary>
public sealed record EnrollmentTokenUsed(string AgentId, DateTime At) : IAgentEvent;

/// <summary>An operator (or a valid token, <see cref="By"/> <c>token</c>) approved the agent's request.</summary>
public sealed record AgentApproved(string AgentId, string By, DateTime At) : IAgentEvent;

/// <summary>An operator rejected a pending request; the request is forgotten.</summary>
public sealed record AgentRejected(string AgentId, string By, DateTime At) : IAgentEvent;

/// <summary>The agent's certificate was signed from its CSR: it connects with it until it expires or is revoked.</summary>
public sealed record CertificateIssued(string AgentId, string Serial, DateTime ExpiresAt, string Pem, DateTime At) : IAgentEvent;

/// <summary>A channel connection with the agent's current certificate was admitted.</summary>
public sealed record AgentConnected(string AgentId, string Version, DateTime At) : IAgentEvent;

/// <summary>The agent's channel connection ended.</summary>
public sealed record AgentDisconnected(string AgentId, DateTime At) : IAgentEvent;

/// <summary>An operator revoked the agent's certificate <see cref="Serial"/>: it may not connect with it again.</summary>
public sealed record AgentRevoked(string AgentId, string Serial, string By, DateTime At) : IAgentEvent;

/// <summary>An operator removed the agent: the entity forgets it; its history stays until retention.</summary>
public sealed record AgentRemoved(string AgentId, string By, DateTime At) : IAgentEvent;
