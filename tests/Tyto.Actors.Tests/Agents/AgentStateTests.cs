using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Agents;

public sealed class AgentStateTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    private static readonly RegisterHost Register = new("local", ActorRefs.Nobody, "host-a", "x86_64");

    private static readonly IssuedCertificate Issued = new("-----BEGIN CERTIFICATE-----", "4F2A01", Now.AddDays(365));

    private static readonly SignCsr Sign = (csr, _) => csr == "bad" ? throw new InvalidCsrException("The CSR cannot be read") : Issued;

    private static readonly RequestEnrollment Request = new("web-1", "Web", "web-host", "linux", "x86_64", "csr", null, "secret-hash");

    [Fact]
    public void An_unknown_agent_is_named_after_its_id_and_not_known()
    {
        var state = AgentState.Unknown("local");

        Assert.False(state.IsKnown(Now));
        Assert.Equal("local", state.Name);
    }

    [Fact]
    public void Registering_the_local_host_records_it_as_linux()
    {
        var events = AgentState.Unknown("local").Decide(Register, Now);

        Assert.Equal([new AgentRegistered("local", "local", "host-a", "linux", "x86_64", Now)], events);
    }

    [Fact]
    public void Applying_the_registration_makes_an_enrolled_host_without_certificate()
    {
        var state = AgentState.Unknown("local").Apply(new AgentRegistered("local", "local", "host-a", "linux", "x86_64", Now));

        Assert.Equal(AgentPhase.Enrolled, state.Phase);
        Assert.True(state.IsLocalHost);
        Assert.Equal(("host-a", "linux", "x86_64", Now), (state.Hostname, state.Os, state.Architecture, state.RegisteredAt));
        Assert.Equal("online", state.Status(connected: true));
        Assert.Equal("offline", state.Status(connected: false));
    }

    [Fact]
    public void Registering_twice_yields_no_second_event()
    {
        var state = Fold(AgentState.Unknown("local"), AgentState.Unknown("local").Decide(Register, Now));

        Assert.Empty(state.Decide(Register with { Hostname = "host-a-renamed" }, Now.AddMinutes(5)));
        Assert.Equal("host-a", state.Hostname);
    }

    [Fact]
    public void Pre_registering_keeps_the_token_hash_and_a_second_time_is_refused()
    {
        var state = Invited();

        Assert.Equal((AgentPhase.Invited, "Web box", "token-hash", Now.AddHours(24)), (state.Phase, state.Name, state.TokenHash, state.TokenExpiresAt));
        Assert.Equal("offline", state.Status(connected: false));
        Assert.Equal("AGENT_EXISTS", state.Decide(new PreRegisterAgent("web-1", "Again", "other", Now.AddHours(24), "bob"), Now).ErrorCode);
    }

    [Fact]
    public void A_valid_token_approves_and_signs_at_once_and_cannot_be_used_twice()
    {
        var decision = Invited().Decide(Request with { TokenHash = "token-hash", SecretHash = null }, Sign, queueFull: true, Now.AddMinutes(1));

        Assert.False(decision.Refused);
        Assert.Equal(
            [typeof(EnrollmentRequested), typeof(EnrollmentTokenUsed), typeof(AgentApproved), typeof(CertificateIssued)],
            decision.Events.Select(e => e.GetType()));
        Assert.Equal(AgentState.ApprovedByToken, decision.Events.OfType<AgentApproved>().Single().By);
        var state = Fold(Invited(), decision.Events);
        Assert.Equal((AgentPhase.Enrolled, "Web box", "web-host"), (state.Phase, state.Name, state.Hostname));
        Assert.Equal(new AgentCertificate("4F2A01", Now.AddDays(365), "-----BEGIN CERTIFICATE-----"), state.Certificate);
        Assert.Null(state.TokenHash);

        Assert.Equal("INVALID_TOKEN", state.Decide(Request with { TokenHash = "token-hash" }, Sign, false, Now.AddMinutes(2)).ErrorCode);
    }

    [Theory]
    [InlineData("wrong-hash", 1)]
    [InlineData("token-hash", 24 * 60)]
    public void A_wrong_or_expired_token_is_refused(string tokenHash, int minutesLater)
    {
        var decision = Invited().Decide(Request with { TokenHash = tokenHash }, Sign, false, Now.AddMinutes(minutesLater));

        Assert.Equal("INVALID_TOKEN", decision.ErrorCode);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_token_for_an_agent_nobody_pre_registered_is_refused()
    {
        Assert.Equal("INVALID_TOKEN", AgentState.Unknown("web-1").Decide(Request with { TokenHash = "token-hash" }, Sign, false, Now).ErrorCode);
    }

    [Fact]
    public void A_malformed_csr_is_refused_with_or_without_token_and_nothing_is_recorded()
    {
        var withToken = Invited().Decide(Request with { TokenHash = "token-hash", Csr = "bad" }, Sign, false, Now);
        var without = AgentState.Unknown("web-1").Decide(Request with { Csr = "bad" }, Sign, false, Now);

        Assert.Equal(("INVALID_CSR", "INVALID_CSR"), (withToken.ErrorCode, without.ErrorCode));
        Assert.Empty(withToken.Events);
        Assert.Empty(without.Events);
    }

    [Fact]
    public void Without_a_token_the_agent_waits_and_polls_with_its_secret()
    {
        var state = Pending();

        Assert.Equal((AgentPhase.Pending, "pending"), (state.Phase, state.Status(false)));
        Assert.True(state.IsPending(Now.AddHours(23)));
        Assert.True(state.Answer(new PollEnrollment("web-1", "secret-hash"), Now).Pending);
        Assert.Equal("NOT_FOUND", state.Answer(new PollEnrollment("web-1", "other-secret"), Now).ErrorCode);
        // The same request again changes nothing; another secret cannot take the request over.
        Assert.Equal(AgentDecision.Nothing, state.Decide(Request, Sign, false, Now.AddMinutes(1)));
        Assert.Equal("AGENT_EXISTS", state.Decide(Request with { SecretHash = "other-secret" }, Sign, false, Now.AddMinutes(1)).ErrorCode);
    }

    [Fact]
    public void A_request_needs_a_secret_and_room_in_the_queue()
    {
        var unknown = AgentState.Unknown("web-1");

        Assert.Equal("INVALID_REQUEST", unknown.Decide(Request with { SecretHash = null }, Sign, false, Now).ErrorCode);
        Assert.Equal("PENDING_FULL", unknown.Decide(Request, Sign, queueFull: true, Now).ErrorCode);
    }

    [Fact]
    public void A_pending_request_expires_after_24_hours_and_a_new_one_starts_afresh()
    {
        var later = Now.AddHours(24);
        var state = Pending();

        Assert.False(state.IsKnown(later));
        Assert.Equal("NOT_FOUND", state.Answer(new PollEnrollment("web-1", "secret-hash"), later).ErrorCode);
        Assert.Equal("NOT_FOUND", state.Decide(new ApproveAgent("web-1", "alice"), Sign, later).ErrorCode);
        var again = state.Decide(Request with { SecretHash = "new-secret" }, Sign, false, later);
        Assert.Equal([new EnrollmentRequested("web-1", "Web", "web-host", "linux", "x86_64", "csr", "new-secret", later)], again.Events);
    }

    [Fact]
    public void Approving_signs_the_csr_and_the_poll_then_gets_the_certificate()
    {
        var decision = Pending().Decide(new ApproveAgent("web-1", "alice"), Sign, Now.AddMinutes(5));

        Assert.Equal(
            [new AgentApproved("web-1", "alice", Now.AddMinutes(5)), new CertificateIssued("web-1", "4F2A01", Now.AddDays(365), "-----BEGIN CERTIFICATE-----", Now.AddMinutes(5))],
            decision.Events);
        var state = Fold(Pending(), decision.Events);
        Assert.Equal(AgentPhase.Enrolled, state.Phase);
        Assert.Equal("-----BEGIN CERTIFICATE-----", state.Answer(new PollEnrollment("web-1", "secret-hash"), Now.AddMinutes(6)).Certificate);
        Assert.Equal("NOT_PENDING", state.Decide(new ApproveAgent("web-1", "alice"), Sign, Now.AddMinutes(6)).ErrorCode);
        Assert.Equal("NOT_PENDING", state.Decide(new RejectAgent("web-1", "alice"), Now.AddMinutes(6)).ErrorCode);
        Assert.Equal("AGENT_EXISTS", state.Decide(Request, Sign, false, Now.AddMinutes(6)).ErrorCode);
    }

    [Fact]
    public void Approving_or_rejecting_an_unknown_agent_is_not_found()
    {
        var unknown = AgentState.Unknown("ghost");

        Assert.Equal("NOT_FOUND", unknown.Decide(new ApproveAgent("ghost", "alice"), Sign, Now).ErrorCode);
        Assert.Equal("NOT_FOUND", unknown.Decide(new RejectAgent("ghost", "alice"), Now).ErrorCode);
        Assert.Equal("NOT_FOUND", unknown.Decide(new RevokeAgent("ghost", "alice"), Now).ErrorCode);
        Assert.Equal("NOT_FOUND", unknown.Decide(new RemoveAgent("ghost", "alice"), Now).ErrorCode);
        Assert.Equal("NOT_PENDING", Invited().Decide(new ApproveAgent("web-1", "alice"), Sign, Now).ErrorCode);
    }

    [Fact]
    public void A_rejected_request_is_forgotten_but_its_poll_learns_the_rejection()
    {
        var decision = Pending().Decide(new RejectAgent("web-1", "bob"), Now.AddMinutes(5));
        var state = Fold(Pending(), decision.Events);

        Assert.Equal([new AgentRejected("web-1", "bob", Now.AddMinutes(5))], decision.Events);
        Assert.False(state.IsKnown(Now.AddMinutes(5)));
        Assert.Null(state.Csr);
        Assert.Equal("ENROLLMENT_REJECTED", state.Answer(new PollEnrollment("web-1", "secret-hash"), Now.AddMinutes(6)).ErrorCode);
        Assert.Equal([typeof(EnrollmentRequested)], state.Decide(Request with { SecretHash = "new" }, Sign, false, Now.AddMinutes(7)).Events.Select(e => e.GetType()));
    }

    [Fact]
    public void Revoking_records_the_serial_closes_the_door_and_re_enrolling_needs_approval_again()
    {
        var enrolled = Enrolled();
        var decision = enrolled.Decide(new RevokeAgent("web-1", "alice"), Now.AddHours(1));
        var revoked = Fold(enrolled, decision.Events);

        Assert.Equal([new AgentRevoked("web-1", "4F2A01", "alice", Now.AddHours(1))], decision.Events);
        Assert.Equal("revoked", revoked.Status(connected: true));
        Assert.Equal(AgentDecision.Nothing, revoked.Decide(new RevokeAgent("web-1", "alice"), Now.AddHours(2)));
        Assert.Equal("AGENT_REVOKED", revoked.Decide(Admit("4F2A01"), Now.AddHours(2)).ErrorCode);
        Assert.Equal("AGENT_REVOKED", revoked.Answer(new PollEnrollment("web-1", "secret-hash"), Now.AddHours(2)).ErrorCode);

        var again = Fold(revoked, revoked.Decide(Request with { SecretHash = "new" }, Sign, false, Now.AddHours(3)).Events);
        Assert.Equal(AgentPhase.Pending, again.Phase);
        Assert.Null(again.Certificate);
        Assert.Equal("AGENT_REVOKED", again.Decide(Admit("4F2A01"), Now.AddHours(3)).ErrorCode);
    }

    [Fact]
    public void Only_an_agent_with_a_certificate_can_be_revoked()
    {
        Assert.Equal("NO_CERTIFICATE", Pending().Decide(new RevokeAgent("web-1", "alice"), Now).ErrorCode);
        Assert.Equal("NO_CERTIFICATE", Invited().Decide(new RevokeAgent("web-1", "alice"), Now).ErrorCode);
    }

    [Fact]
    public void A_connection_is_admitted_with_the_current_certificate_only()
    {
        var enrolled = Enrolled();

        Assert.Equal([new AgentConnected("web-1", "1.0.0", Now)], enrolled.Decide(Admit("4F2A01"), Now).Events);
        Assert.Equal("AGENT_REVOKED", enrolled.Decide(Admit("0BADBAD0"), Now).ErrorCode);
        Assert.Equal("AGENT_REMOVED", AgentState.Unknown("web-1").Decide(Admit("4F2A01"), Now).ErrorCode);
        Assert.Equal("1.0.0", Fold(enrolled, [new AgentConnected("web-1", "1.0.0", Now)]).Version);
        Assert.Equal(enrolled, enrolled.Apply(new AgentDisconnected("web-1", Now)));
    }

    [Fact]
    public void Removing_forgets_the_agent_but_the_local_host_cannot_be_removed()
    {
        var decision = Enrolled().Decide(new RemoveAgent("web-1", "alice"), Now);

        Assert.Equal([new AgentRemoved("web-1", "alice", Now)], decision.Events);
        Assert.Equal(AgentState.Unknown("web-1"), Fold(Enrolled(), decision.Events));
        Assert.Equal([typeof(AgentRemoved)], Pending().Decide(new RemoveAgent("web-1", "alice"), Now).Events.Select(e => e.GetType()));
        var local = Fold(AgentState.Unknown("local"), AgentState.Unknown("local").Decide(Register, Now));
        Assert.Equal("LOCAL_AGENT", local.Decide(new RemoveAgent("local", "alice"), Now).ErrorCode);
    }

    private static AdmitConnection Admit(string serial) =>
        new("web-1", serial, ActorRefs.Nobody, "1.0.0", 0, 0, new HashSet<long>());

    private static AgentState Invited() =>
        Fold(AgentState.Unknown("web-1"), AgentState.Unknown("web-1").Decide(new PreRegisterAgent("web-1", "Web box", "token-hash", Now.AddHours(24), "alice"), Now).Events);

    private static AgentState Pending() => Fold(AgentState.Unknown("web-1"), AgentState.Unknown("web-1").Decide(Request, Sign, false, Now).Events);

    private static AgentState Enrolled() => Fold(Pending(), Pending().Decide(new ApproveAgent("web-1", "alice"), Sign, Now).Events);

    private static AgentState Fold(AgentState state, IEnumerable<IAgentEvent> events) => events.Aggregate(state, (s, e) => s.Apply(e));
}
