using System.Text.Json.Serialization;
using Tyto.Collection;

namespace Tyto.Actors.Agents;

/// <summary>Where an agent stands in its lifecycle.</summary>
public enum AgentPhase
{
    /// <summary>Nobody registered it, or it was removed.</summary>
    Unknown,

    /// <summary>Pre-registered by an operator; it enrolls with its one-time token.</summary>
    Invited,

    /// <summary>It asked to enroll without a token and waits for an operator.</summary>
    Pending,

    /// <summary>Its request was rejected: polls with the rejected request's secret learn it; a new request starts afresh.</summary>
    Rejected,

    /// <summary>Approved: it holds a certificate (the local host needs none).</summary>
    Enrolled,

    /// <summary>Its certificate was revoked; it needs approval again to come back.</summary>
    Revoked,
}

/// <summary>The certificate an agent connects with.</summary>
public sealed record AgentCertificate(string Serial, DateTime ExpiresAt, string Pem);

/// <summary>Signs an agent's CSR (PEM); throws <see cref="InvalidCsrException"/> for one it cannot sign.</summary>
public delegate IssuedCertificate SignCsr(string csrPem, string agentId);

/// <summary>What a command decided: the events to persist, or the API error code and message that refused it.</summary>
public sealed record AgentDecision(IReadOnlyList<IAgentEvent> Events, string? ErrorCode = null, string? Message = null)
{
    public static readonly AgentDecision Nothing = new([]);

    public bool Refused => ErrorCode is not null;

    public static AgentDecision Refuse(string code, string message) => new([], code, message);
}

/// <summary>
/// The persisted lifecycle of an agent: <see cref="Decide(PreRegisterAgent, DateTime)"/> and its overloads turn a command into
/// events or a refusal, <see cref="Apply"/> folds an event in, the same way live, in replay and in the agent directory.
/// </summary>
public sealed record AgentState(
    string AgentId,
    AgentPhase Phase,
    string Name,
    string Hostname,
    string Os,
    string Architecture,
    DateTime RegisteredAt,
    string? TokenHash,
    DateTime? TokenExpiresAt,
    string? Csr,
    string? SecretHash,
    DateTime? RequestedAt,
    AgentCertificate? Certificate,
    string? Version) : ITytoSnapshot
{
    /// <summary>How long a pending request waits for an operator, and how long a pre-registration token is valid.</summary>
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromHours(24);

    /// <summary>Who approves an agent that presented a valid token.</summary>
    public const string ApprovedByToken = "token";

    public static AgentState Unknown(string agentId) => new(agentId, AgentPhase.Unknown, agentId, "", "", "", DateTime.MinValue, null, null, null, null, null, null, null);

    /// <summary>Whether the agent exists for clients: not unknown, removed or rejected; a pending one only until its request expires.</summary>
    public bool IsKnown(DateTime now) => Phase switch
    {
        AgentPhase.Unknown or AgentPhase.Rejected => false,
        AgentPhase.Pending => !IsExpired(now),
        _ => true,
    };

    public bool IsPending(DateTime now) => Phase == AgentPhase.Pending && !IsExpired(now);

    /// <summary>A server node's own host: approved at registration, with no certificate.</summary>
    [JsonIgnore]
    public bool IsLocalHost => Phase == AgentPhase.Enrolled && Certificate is null;

    /// <summary><c>pending</c> or <c>revoked</c>, else <c>online</c> or <c>offline</c> as <paramref name="connected"/> says.</summary>
    public string Status(bool connected) => Phase switch
    {
        AgentPhase.Pending => "pending",
        AgentPhase.Revoked => "revoked",
        _ => connected ? "online" : "offline",
    };

    public AgentState Apply(IAgentEvent @event) => @event switch
    {
        AgentRegistered r => this with
        {
            Phase = AgentPhase.Enrolled,
            Name = r.Name,
            Hostname = r.Hostname,
            Os = r.Os,
            Architecture = r.Architecture,
            RegisteredAt = r.At,
        },
        AgentPreRegistered p => Unknown(AgentId) with
        {
            Phase = AgentPhase.Invited,
            Name = p.Name,
            RegisteredAt = p.At,
            TokenHash = p.TokenHash,
            TokenExpiresAt = p.TokenExpiresAt,
        },
        EnrollmentRequested r => this with
        {
            Phase = AgentPhase.Pending,
            Name = Phase == AgentPhase.Invited ? Name : r.Name,
            Hostname = r.Hostname,
            Os = r.Os,
            Architecture = r.Architecture,
            RegisteredAt = Phase is AgentPhase.Invited or AgentPhase.Revoked ? RegisteredAt : r.At,
            Csr = r.Csr,
            SecretHash = r.SecretHash,
            RequestedAt = r.At,
            Certificate = null,
        },
        EnrollmentTokenUsed => this with { TokenHash = null, TokenExpiresAt = null },
        AgentApproved => this with { Phase = AgentPhase.Enrolled, Csr = null },
        AgentRejected => Rejected(),
        CertificateIssued c => this with { Certificate = new AgentCertificate(c.Serial, c.ExpiresAt, c.Pem) },
        AgentConnected c => this with { Version = c.Version },
        AgentRevoked => this with { Phase = AgentPhase.Revoked },
        AgentRemoved => Unknown(AgentId),
        _ => this,
    };

    /// <summary>Registering the local host: once only; a known agent produces nothing.</summary>
    public IReadOnlyList<IAgentEvent> Decide(RegisterHost command, DateTime now) =>
        Phase == AgentPhase.Enrolled ? [] : [new AgentRegistered(command.AgentId, command.AgentId, command.Hostname, "linux", command.Architecture, now)];

    public AgentDecision Decide(PreRegisterAgent command, DateTime now) =>
        IsKnown(now)
            ? AgentDecision.Refuse("AGENT_EXISTS", $"Agent '{AgentId}' already exists")
            : new([new AgentPreRegistered(AgentId, command.Name, command.TokenHash, command.TokenExpiresAt, command.By, now)]);

    /// <summary>
    /// An enrollment: with this agent's valid token it is approved and signed at once; without one it waits for approval,
    /// unless the pending queue is full (<paramref name="queueFull"/>). Either way the CSR must be one the CA can sign.
    /// </summary>
    public AgentDecision Decide(RequestEnrollment command, SignCsr sign, bool queueFull, DateTime now)
    {
        var requested = new EnrollmentRequested(AgentId, command.Name, command.Hostname, command.Os, command.Architecture, command.Csr, command.SecretHash, now);
        if (command.TokenHash is not null)
        {
            if (Phase is not (AgentPhase.Invited or AgentPhase.Pending) || TokenHash != command.TokenHash || now >= TokenExpiresAt)
                return AgentDecision.Refuse("INVALID_TOKEN", $"The enrollment token is not valid for agent '{AgentId}', or was used already, or expired");
            return Signed(sign, command.Csr, [requested with { SecretHash = null }, new EnrollmentTokenUsed(AgentId, now), new AgentApproved(AgentId, ApprovedByToken, now)], now);
        }
        if (command.SecretHash is null)
            return AgentDecision.Refuse("INVALID_REQUEST", "An enrollment without a token needs a secret to poll with");
        if (IsPending(now))
        {
            return command.SecretHash == SecretHash
                ? AgentDecision.Nothing
                : AgentDecision.Refuse("AGENT_EXISTS", $"A request for agent '{AgentId}' is already pending");
        }
        if (Phase is AgentPhase.Invited or AgentPhase.Enrolled)
            return AgentDecision.Refuse("AGENT_EXISTS", $"Agent '{AgentId}' is enrolled already; an operator must remove it first");
        if (queueFull)
            return AgentDecision.Refuse("PENDING_FULL", "Too many enrollment requests are waiting for approval; try again later");
        // Signing checks the CSR now, so that a request an operator could never approve is not stored.
        var check = Signed(sign, command.Csr, [requested], now);
        return check.Refused ? check : new([requested]);
    }

    /// <summary>How a pending agent's request stands, for the agent that holds the request's secret.</summary>
    public EnrollmentReply Answer(PollEnrollment command, DateTime now)
    {
        if (SecretHash is null || SecretHash != command.SecretHash || (Phase == AgentPhase.Pending && IsExpired(now)))
            return new EnrollmentReply(null, "NOT_FOUND", $"No enrollment request of agent '{AgentId}' with this secret");
        return Phase switch
        {
            AgentPhase.Pending => new EnrollmentReply(null, null, null),
            AgentPhase.Enrolled when Certificate is not null => new EnrollmentReply(Certificate.Pem, null, null),
            AgentPhase.Rejected => new EnrollmentReply(null, "ENROLLMENT_REJECTED", $"The enrollment of agent '{AgentId}' was rejected"),
            AgentPhase.Revoked => new EnrollmentReply(null, "AGENT_REVOKED", $"The certificate of agent '{AgentId}' was revoked"),
            _ => new EnrollmentReply(null, "NOT_FOUND", $"No enrollment request of agent '{AgentId}' with this secret"),
        };
    }

    public AgentDecision Decide(ApproveAgent command, SignCsr sign, DateTime now) =>
        NotPending(now) ?? Signed(sign, Csr!, [new AgentApproved(AgentId, command.By, now)], now);

    public AgentDecision Decide(RejectAgent command, DateTime now) =>
        NotPending(now) ?? new([new AgentRejected(AgentId, command.By, now)]);

    /// <summary>Revoking an agent whose certificate is revoked already changes nothing.</summary>
    public AgentDecision Decide(RevokeAgent command, DateTime now) => Phase switch
    {
        _ when !IsKnown(now) => NotFound(),
        AgentPhase.Revoked => AgentDecision.Nothing,
        AgentPhase.Enrolled when Certificate is not null => new([new AgentRevoked(AgentId, Certificate.Serial, command.By, now)]),
        _ => AgentDecision.Refuse("NO_CERTIFICATE", $"Agent '{AgentId}' holds no certificate to revoke"),
    };

    /// <summary>Any known agent may be removed but the server's own host, which registers itself again.</summary>
    public AgentDecision Decide(RemoveAgent command, DateTime now)
    {
        if (!IsKnown(now))
            return NotFound();
        return IsLocalHost
            ? AgentDecision.Refuse("LOCAL_AGENT", $"Agent '{AgentId}' is this server's own host and cannot be removed")
            : new([new AgentRemoved(AgentId, command.By, now)]);
    }

    /// <summary>A connection is admitted with the agent's current certificate only.</summary>
    public AgentDecision Decide(AdmitConnection command, DateTime now) => Phase switch
    {
        AgentPhase.Revoked => AgentDecision.Refuse("AGENT_REVOKED", $"The certificate of agent '{AgentId}' was revoked"),
        AgentPhase.Enrolled when Certificate?.Serial == command.Serial => new([new AgentConnected(AgentId, command.Version, now)]),
        AgentPhase.Enrolled or AgentPhase.Pending => AgentDecision.Refuse("AGENT_REVOKED", $"Certificate {command.Serial} is not the current certificate of agent '{AgentId}'"),
        _ => AgentDecision.Refuse("AGENT_REMOVED", $"Agent '{AgentId}' was removed or never enrolled"),
    };

    /// <summary>The request is forgotten; only its secret stays, so that the agent polling with it learns the outcome.</summary>
    private AgentState Rejected()
    {
        var secret = SecretHash;
        return Unknown(AgentId) with { Phase = AgentPhase.Rejected, SecretHash = secret };
    }

    private bool IsExpired(DateTime now) => RequestedAt + PendingLifetime <= now;

    private AgentDecision NotFound() => AgentDecision.Refuse("NOT_FOUND", $"No agent '{AgentId}'");

    private AgentDecision? NotPending(DateTime now) =>
        IsPending(now) ? null
        : IsKnown(now) ? AgentDecision.Refuse("NOT_PENDING", $"Agent '{AgentId}' is not waiting for approval")
        : AgentDecision.Refuse("NOT_FOUND", $"No pending agent '{AgentId}'");

    /// <summary><paramref name="events"/> followed by the certificate signed from <paramref name="csr"/>, or <c>INVALID_CSR</c>.</summary>
    private AgentDecision Signed(SignCsr sign, string csr, IReadOnlyList<IAgentEvent> events, DateTime now)
    {
        try
        {
            var issued = sign(csr, AgentId);
            return new([.. events, new CertificateIssued(AgentId, issued.Serial, issued.ExpiresAt, issued.Pem, now)]);
        }
        catch (InvalidCsrException e)
        {
            return AgentDecision.Refuse("INVALID_CSR", e.Message);
        }
    }
}
