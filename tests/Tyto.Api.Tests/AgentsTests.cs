using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Actors.Agents;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

/// <summary>The agents resource of API.md, with enrollment driven through the agent's entity as the agent endpoint drives it.</summary>
[Collection(SharedHostGroup.Name)]
public sealed class AgentsTests(SharedHost shared)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Pre_registering_shows_the_token_once_and_the_token_enrolls_the_agent()
    {
        var before = DateTime.UtcNow;
        using var added = await shared.Admin.PostJsonAsync("/api/v1/agents", new { id = "web-token", name = "Web with token" });
        var body = await added.JsonAsync(HttpStatusCode.Created);

        Assert.Equal("/api/v1/agents/web-token", added.Headers.Location?.OriginalString);
        Assert.Equal(("web-token", "Web with token", "offline"), (body.GetProperty("id").GetString(), body.GetProperty("name").GetString(), body.GetProperty("status").GetString()));
        var enrollment = body.GetProperty("enrollment");
        var token = enrollment.GetProperty("token").GetString()!;
        Assert.Equal(32, Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length);
        Assert.InRange(enrollment.GetProperty("expires_at").GetDateTime().ToUniversalTime(), before.AddHours(24), DateTime.UtcNow.AddHours(24));
        Assert.Equal(Authority.Fingerprint, enrollment.GetProperty("ca_fingerprint").GetString());
        Assert.Equal($"https://{shared.Host.Address.Host}:{shared.Host.AgentAddress.Port}", enrollment.GetProperty("server").GetString());

        var shown = await GetAgentAsync("web-token");
        Assert.False(shown.TryGetProperty("enrollment", out _));
        Assert.DoesNotContain(token, shown.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("certificate").ValueKind);

        var reply = await Region.Ask<EnrollmentReply>(
            new RequestEnrollment("web-token", "ignored", "web-host", "linux", "x86_64", Csr(), EnrollmentSecrets.Hash(token), null), AskTimeout);
        using var certificate = X509Certificate2.CreateFromPem(reply.Certificate);
        var enrolled = await GetAgentAsync("web-token");
        Assert.Equal(("Web with token", "web-host", "linux", "x86_64"), (enrolled.GetProperty("name").GetString(), enrolled.GetProperty("hostname").GetString(), enrolled.GetProperty("os").GetString(), enrolled.GetProperty("architecture").GetString()));
        Assert.Equal(certificate.SerialNumber, enrolled.GetProperty("certificate").GetProperty("serial").GetString());
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), enrolled.GetProperty("certificate").GetProperty("expires_at").GetDateTime().ToUniversalTime());
        Assert.Equal((0, 0), (enrolled.GetProperty("buffered").GetInt64(), enrolled.GetProperty("dropped").GetInt64()));

        var again = await Region.Ask<EnrollmentReply>(
            new RequestEnrollment("web-token", "ignored", "web-host", "linux", "x86_64", Csr(), EnrollmentSecrets.Hash(token), null), AskTimeout);
        Assert.Equal("INVALID_TOKEN", again.ErrorCode);
        await ListedAsync("/api/v1/agents", "web-token");
    }

    [Fact]
    public async Task A_second_agent_with_the_same_id_is_a_conflict()
    {
        using (var first = await shared.Admin.PostJsonAsync("/api/v1/agents", new { id = "web-twice", name = "Web" }))
            await first.JsonAsync(HttpStatusCode.Created);

        using var second = await shared.Admin.PostJsonAsync("/api/v1/agents", new { id = "web-twice", name = "Web again" });

        await second.ErrorAsync(HttpStatusCode.Conflict, "AGENT_EXISTS");
        Assert.Equal("Web", (await GetAgentAsync("web-twice")).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("web 1")]
    [InlineData("web:1")]
    [InlineData("wéb")]
    [InlineData("a123456789a123456789a123456789a123456789a123456789a123456789abcde")]
    [InlineData("local")]
    public async Task A_bad_or_reserved_id_is_refused(string id)
    {
        using var response = await shared.Admin.PostJsonAsync("/api/v1/agents", new { id, name = "x" });

        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(error.GetProperty("details").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task A_name_too_long_or_a_missing_id_is_refused()
    {
        using (var longName = await shared.Admin.PostJsonAsync("/api/v1/agents", new { id = "web-long", name = new string('n', 129) }))
            await longName.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        using (var noId = await shared.Admin.PostJsonAsync("/api/v1/agents", new { name = "x" }))
            await noId.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        using var unknown = await shared.Admin.GetAsync("/api/v1/agents/web-long");
        await unknown.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    [Fact]
    public async Task A_pending_agent_is_approved_revoked_and_removed()
    {
        Assert.True((await RequestAsync("web-pending")).Pending);
        var pending = await ListedAsync("/api/v1/agents/pending", "web-pending");
        Assert.Equal(("pending", "web-host"), (pending.GetProperty("status").GetString(), pending.GetProperty("hostname").GetString()));

        using (var approved = await shared.Admin.PostAsync("/api/v1/agents/pending/web-pending/approve", null))
        {
            var agent = await approved.JsonAsync(HttpStatusCode.OK);
            Assert.Equal("offline", agent.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(agent.GetProperty("certificate").GetProperty("serial").GetString()));
        }
        var poll = await Region.Ask<EnrollmentReply>(new PollEnrollment("web-pending", EnrollmentSecrets.Hash("secret")), AskTimeout);
        Assert.NotNull(poll.Certificate);
        using (var twice = await shared.Admin.PostAsync("/api/v1/agents/pending/web-pending/approve", null))
            await twice.ErrorAsync(HttpStatusCode.Conflict, "NOT_PENDING");
        await Poll.UntilAsync(async () => !(await ListAsync("/api/v1/agents/pending")).Any(a => a.GetProperty("id").GetString() == "web-pending"), "web-pending leaves the pending list");

        using (var revoked = await shared.Admin.PostAsync("/api/v1/agents/web-pending/revoke", null))
            Assert.Equal("revoked", (await revoked.JsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("revoked", (await GetAgentAsync("web-pending")).GetProperty("status").GetString());
        Assert.Equal("AGENT_REVOKED", (await Region.Ask<EnrollmentReply>(new PollEnrollment("web-pending", EnrollmentSecrets.Hash("secret")), AskTimeout)).ErrorCode);

        using (var removed = await shared.Admin.DeleteAsync("/api/v1/agents/web-pending"))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using (var gone = await shared.Admin.GetAsync("/api/v1/agents/web-pending"))
            await gone.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
        using (var again = await shared.Admin.DeleteAsync("/api/v1/agents/web-pending"))
            await again.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
        await Poll.UntilAsync(async () => !(await ListAsync("/api/v1/agents")).Any(a => a.GetProperty("id").GetString() == "web-pending"), "web-pending leaves the list");
    }

    [Fact]
    public async Task A_rejected_agent_is_forgotten_and_learns_it_when_it_polls()
    {
        await RequestAsync("web-rejected");

        using (var rejected = await shared.Admin.PostAsync("/api/v1/agents/pending/web-rejected/reject", null))
            Assert.Equal(HttpStatusCode.NoContent, rejected.StatusCode);

        using (var gone = await shared.Admin.GetAsync("/api/v1/agents/web-rejected"))
            await gone.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
        using (var again = await shared.Admin.PostAsync("/api/v1/agents/pending/web-rejected/reject", null))
            await again.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
        Assert.Equal("ENROLLMENT_REJECTED", (await Region.Ask<EnrollmentReply>(new PollEnrollment("web-rejected", EnrollmentSecrets.Hash("secret")), AskTimeout)).ErrorCode);
    }

    [Theory]
    [InlineData("/api/v1/agents/pending/nobody-here/approve")]
    [InlineData("/api/v1/agents/pending/nobody-here/reject")]
    [InlineData("/api/v1/agents/nobody-here/revoke")]
    [InlineData("/api/v1/agents/pending/bad%20id/approve")]
    public async Task Commands_for_an_unknown_agent_are_not_found(string path)
    {
        using var response = await shared.Admin.PostAsync(path, null);

        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    [Fact]
    public async Task The_local_host_is_listed_and_can_be_neither_removed_nor_revoked()
    {
        var local = await ListedAsync("/api/v1/agents", "local");
        Assert.Equal("online", local.GetProperty("status").GetString());

        using (var removed = await shared.Admin.DeleteAsync("/api/v1/agents/local"))
            await removed.ErrorAsync(HttpStatusCode.Conflict, "LOCAL_AGENT");
        using var revoked = await shared.Admin.PostAsync("/api/v1/agents/local/revoke", null);
        await revoked.ErrorAsync(HttpStatusCode.Conflict, "NO_CERTIFICATE");
    }

    [Fact]
    public async Task A_pending_agent_cannot_be_revoked()
    {
        await RequestAsync("web-unapproved");

        using var revoked = await shared.Admin.PostAsync("/api/v1/agents/web-unapproved/revoke", null);

        await revoked.ErrorAsync(HttpStatusCode.Conflict, "NO_CERTIFICATE");
    }

    private IActorRef Region => shared.Host.App.Services.GetRequiredService<IRequiredActor<AgentRegion>>().ActorRef;

    private CertificateAuthority Authority => shared.Host.App.Services.GetRequiredService<CertificateAuthority>();

    private Task<EnrollmentReply> RequestAsync(string agentId) =>
        Region.Ask<EnrollmentReply>(new RequestEnrollment(agentId, "Web", "web-host", "linux", "x86_64", Csr(), null, EnrollmentSecrets.Hash("secret")), AskTimeout);

    private async Task<JsonElement> GetAgentAsync(string agentId)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/agents/{agentId}");
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private async Task<IReadOnlyList<JsonElement>> ListAsync(string path)
    {
        using var response = await shared.Admin.GetAsync(path);
        return [.. (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("agents").EnumerateArray()];
    }

    /// <summary>The agent as the list shows it, once the list (which follows the journal) has it.</summary>
    private async Task<JsonElement> ListedAsync(string path, string agentId) =>
        (await Poll.ForAsync(
            async () => (await ListAsync(path)).Where(a => a.GetProperty("id").GetString() == agentId).ToList(),
            found => found.Count == 1,
            $"{agentId} in {path}"))[0];

    private static string Csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
