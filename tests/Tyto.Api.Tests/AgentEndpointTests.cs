using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Tyto.Api.AgentChannel;
using Tyto.Collection.Channel;

namespace Tyto.Api.Tests;

/// <summary>
/// The agent endpoint over real TLS, with the agent's side played by the test: the endpoint apart from the API, enrollment
/// refusing bad input, certificates checked at the handshake, and the channel carrying samples, acknowledgements and commands.
/// </summary>
public sealed class AgentEndpointTests(SharedHost fixture) : IClassFixture<SharedHost>
{
    public const string Secret = "a-secret-of-at-least-thirty-two-characters";

    private TytoHost Host => fixture.Host;

    [Fact]
    public async Task Agent_paths_answer_only_on_the_agent_endpoint_and_the_api_only_on_its_own()
    {
        using var agent = AgentSide.Client(Host);

        using (var health = await agent.GetAsync("/health"))
            await health.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        using (var dashboard = await agent.GetAsync("/hosts/local"))
            await dashboard.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        using (var login = await agent.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = TytoHost.AdminPassword }))
            await login.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        using (var enroll = await Host.Client.PostAsJsonAsync(AgentWire.EnrollPath, new { agent_id = "web-1" }))
            await enroll.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        using (var channel = await Host.Client.GetAsync(AgentWire.ChannelPath))
            await channel.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        using (var unknown = await agent.GetAsync("/agent/v1/nothing"))
            await unknown.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("web:1", "agent_id")]
    [InlineData("", "agent_id")]
    [InlineData("local", "agent_id")]
    [InlineData("a123456789a123456789a123456789a123456789a123456789a123456789abcde", "agent_id")]
    public async Task An_enrollment_with_a_bad_id_is_400_naming_it(string agentId, string field)
    {
        using var agent = AgentSide.Client(Host);

        using var response = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request(agentId), AgentWire.Json);

        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Assert.True(error.GetProperty("details").TryGetProperty(field, out _), error.GetRawText());
    }

    [Fact]
    public async Task An_enrollment_without_a_token_or_a_long_enough_secret_is_400()
    {
        using var agent = AgentSide.Client(Host);

        using (var neither = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("web-1") with { Secret = null }, AgentWire.Json))
            await neither.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        using (var shortSecret = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("web-1") with { Secret = "short" }, AgentWire.Json))
            await shortSecret.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        using (var unknownField = await agent.SendRawAsync(HttpMethod.Post, AgentWire.EnrollPath, """{"agent_id":"web-1","extra":1}"""))
            await unknownField.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
    }

    [Fact]
    public async Task A_malformed_csr_is_400_invalid_csr()
    {
        using var agent = AgentSide.Client(Host);
        var csr = AgentSide.Csr();
        var der = Convert.FromBase64String(csr[PemEncoding.Find(csr).Base64Data]);
        var garbled = PemEncoding.WriteString("CERTIFICATE REQUEST", der.AsSpan(0, der.Length - 10));

        using (var malformed = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("web-1") with { Csr = garbled }, AgentWire.Json))
            await malformed.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_CSR");
        using (var notPem = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("web-1") with { Csr = "hello" }, AgentWire.Json))
            await notPem.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_CSR");
    }

    [Fact]
    public async Task An_enrollment_body_over_the_limit_is_413()
    {
        using var agent = AgentSide.Client(Host);

        using var response = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("web-1") with { Name = new string('n', AgentWire.MaxEnrollmentBytes) }, AgentWire.Json);

        await response.ErrorAsync(HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_client_certificate_of_another_ca_is_refused_at_the_handshake()
    {
        using var certificate = AgentSide.ForeignCertificate("web-1");
        using var agent = AgentSide.Client(Host, certificate);

        await Assert.ThrowsAsync<HttpRequestException>(() => agent.GetAsync(AgentWire.ChannelPath));
    }

    [Fact]
    public async Task An_expired_client_certificate_is_refused_at_the_handshake()
    {
        var now = DateTimeOffset.UtcNow;
        using var certificate = AgentSide.Certificate(Host.DataDir, "web-1", now.AddDays(-30), now.AddDays(-1));
        using var agent = AgentSide.Client(Host, certificate);

        await Assert.ThrowsAsync<HttpRequestException>(() => agent.GetAsync(AgentWire.ChannelPath));
    }

    [Fact]
    public async Task The_channel_without_a_client_certificate_is_401_before_upgrading()
    {
        using var agent = AgentSide.Client(Host);

        using var response = await agent.GetAsync(AgentWire.ChannelPath);

        await response.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Enrollment_is_rate_limited_per_address_with_429_and_retry_after()
    {
        await using var host = await TytoHost.StartAsync();
        try
        {
            using var agent = AgentSide.Client(host);
            HttpResponseMessage? limited = null;
            for (var i = 0; i <= 3 * AgentEnrollmentApi.RateLimitBurst && limited is null; i++)
            {
                var response = await agent.PostAsJsonAsync(AgentWire.EnrollPath, Request("bad:id"), AgentWire.Json);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    limited = response;
                else
                    response.Dispose();
            }

            Assert.NotNull(limited);
            using (limited)
            {
                Assert.NotNull(limited.Headers.RetryAfter);
                await limited.ErrorAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(host.DataDir);
        }
    }

    /// <summary>An enrollment that waits for approval, with a fresh CSR.</summary>
    public static EnrollmentRequest Request(string agentId) =>
        new(agentId, agentId, "host-" + agentId, "linux", "x86_64", AgentSide.Csr(), null, Secret);
}
