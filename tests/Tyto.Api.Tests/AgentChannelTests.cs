using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Tests;
using Tyto.Collection;
using Tyto.Collection.Channel;
using Tyto.Collection.Logs;

namespace Tyto.Api.Tests;

/// <summary>
/// Agents enrolled through the real entity, their side played by the test over real TLS: tokens are single use and expire,
/// revoked certificates fail the handshake, and the channel carries samples into the stream and history once each, refuses
/// frames that lie or overflow, and carries process commands to the agent and its answers back.
/// </summary>
public sealed class AgentChannelTests(SharedHost fixture) : IClassFixture<SharedHost>
{
    private TytoHost Host => fixture.Host;

    [Fact]
    public async Task An_enrollment_with_a_token_is_approved_at_once_and_the_token_cannot_be_used_again()
    {
        var token = await PreRegisterAsync("token-1");
        using var agent = AgentSide.Client(Host);

        using (var approved = await agent.PostAsJsonAsync(AgentWire.EnrollPath, AgentEndpointTests.Request("token-1") with { Token = token, Secret = null }, AgentWire.Json))
        {
            var answer = await AnswerAsync(approved, HttpStatusCode.OK);
            Assert.Equal(EnrollmentStatus.Approved, answer.Status);
            using var certificate = X509Certificate2.CreateFromPem(answer.Certificate);
            Assert.Equal("CN=token-1", certificate.Subject);
            Assert.Equal(File.ReadAllText(Path.Combine(Host.DataDir, "ca", "ca.crt")).Trim(), answer.CaCertificate!.Trim());
        }

        using var replayed = await agent.PostAsJsonAsync(AgentWire.EnrollPath, AgentEndpointTests.Request("token-1") with { Token = token, Secret = null }, AgentWire.Json);
        await replayed.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_TOKEN");
    }

    [Fact]
    public async Task An_enrollment_without_a_token_waits_for_approval_and_a_poll_then_gets_the_certificate()
    {
        using var agent = AgentSide.Client(Host);
        var poll = new EnrollmentPoll("pending-1", AgentEndpointTests.Secret);

        using (var requested = await agent.PostAsJsonAsync(AgentWire.EnrollPath, AgentEndpointTests.Request("pending-1"), AgentWire.Json))
        {
            var answer = await AnswerAsync(requested, HttpStatusCode.Accepted);
            Assert.Equal((EnrollmentStatus.Pending, null), (answer.Status, answer.Certificate));
            Assert.True(answer.PollAfterSeconds > 0);
        }
        using (var waiting = await agent.PostAsJsonAsync(AgentWire.PollPath, poll, AgentWire.Json))
            Assert.Equal(EnrollmentStatus.Pending, (await AnswerAsync(waiting, HttpStatusCode.Accepted)).Status);

        using (var approve = await fixture.Admin.PostAsync("/api/v1/agents/pending/pending-1/approve", null))
            Assert.True(approve.IsSuccessStatusCode, await approve.Content.ReadAsStringAsync());

        using var approved = await agent.PostAsJsonAsync(AgentWire.PollPath, poll, AgentWire.Json);
        var certificate = (await AnswerAsync(approved, HttpStatusCode.OK)).Certificate;
        using var issued = X509Certificate2.CreateFromPem(certificate);
        Assert.Equal("CN=pending-1", issued.Subject);
    }

    [Fact]
    public async Task A_poll_for_an_agent_nobody_asked_for_is_404()
    {
        using var agent = AgentSide.Client(Host);

        using var response = await agent.PostAsJsonAsync(AgentWire.PollPath, new EnrollmentPoll("nobody-asked", AgentEndpointTests.Secret), AgentWire.Json);

        await response.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Revoking_closes_the_live_channel_and_the_certificate_is_refused_at_the_handshake_from_then_on()
    {
        using var certificate = await EnrollAsync("revoked-1");
        using var socket = await HelloAsync(certificate, "revoked-1");

        using (var revoke = await fixture.Admin.PostAsync("/api/v1/agents/revoked-1/revoke", null))
            Assert.True(revoke.IsSuccessStatusCode, await revoke.Content.ReadAsStringAsync());

        Assert.Equal("AGENT_REVOKED", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
        Assert.Null(await socket.ReceiveAsync(Deadline()));
        // The endpoint learns revoked serials from the agent events' projection, a moment after the revocation.
        await Poll.UntilAsync(
            async () =>
            {
                using var after = AgentSide.Client(Host, certificate);
                try
                {
                    using var response = await after.GetAsync(AgentWire.ChannelPath);
                    return false;
                }
                catch (HttpRequestException)
                {
                    return true;
                }
            },
            "the revoked certificate refused at the handshake");
    }

    [Fact]
    public async Task A_sample_over_the_channel_is_acknowledged_streamed_and_stored_once()
    {
        using var certificate = await EnrollAsync("channel-1");
        var token = await Host.TokenAsync();
        await using var stream = await SseReader.OpenAsync(Host.Client, $"/api/v1/stream?access_token={token}", Deadline());
        using var socket = await HelloAsync(certificate, "channel-1");
        var at = DateTime.UtcNow.AddSeconds(-5);

        await socket.SendAsync(new SampleFrame(1, MetricsSample.Empty("channel-1", at)), Deadline());
        await socket.SendAsync(new SampleFrame(2, MetricsSample.Empty("channel-1", at)), Deadline());

        var acknowledged = new HashSet<long>();
        while (acknowledged.Count < 2)
            acknowledged.UnionWith((await socket.ReceiveAsync<AckFrame>(Deadline())).Seqs);
        Assert.Equal([1, 2], acknowledged.Order());
        var streamed = await Poll.ForAsync(() => stream.NextSampleAsync(Deadline()), s => s.GetProperty("agentId").GetString() == "channel-1", "the agent's sample on the stream");
        Assert.Equal(at, streamed.GetProperty("timestamp").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        var stored = await Poll.ForAsync(() => RawHistoryAsync("channel-1"), points => points.Count > 0, "the agent's sample in history");
        Assert.Single(stored);
    }

    [Fact]
    public async Task A_sample_claiming_another_agent_closes_the_channel_and_nothing_is_stored()
    {
        using var certificate = await EnrollAsync("honest-1");
        using var socket = await HelloAsync(certificate, "honest-1");

        await socket.SendAsync(new SampleFrame(1, MetricsSample.Empty("someone-else", DateTime.UtcNow)), Deadline());

        var closing = await socket.ReceiveAsync<ClosingFrame>(Deadline());
        Assert.Equal("INVALID_FRAME", closing.Code);
        Assert.Null(await socket.ReceiveAsync(Deadline()));
        Assert.Empty(await RawHistoryAsync("honest-1"));
    }

    [Fact]
    public async Task Log_entries_over_the_channel_are_acknowledged_streamed_and_stored_once_however_often_they_are_sent()
    {
        using var certificate = await EnrollAsync("logs-1");
        var token = await Host.TokenAsync();
        await using var stream = await SseReader.OpenAsync(Host.Client, $"/api/v1/logs/stream?agent_id=logs-1&access_token={token}", Deadline());
        using var socket = await HelloAsync(certificate, "logs-1");
        var at = DateTime.UtcNow.AddSeconds(-5);
        var frame = new LogsFrame(7, "journal", [
            new LogEntry(at, LogSourceKind.Journal, "nginx.service", LogSeverity.Error, "upstream timed out", new Dictionary<string, string> { ["pid"] = "42" }),
            new LogEntry(at.AddMilliseconds(1), LogSourceKind.Journal, "sshd.service", LogSeverity.Info, "accepted publickey", new Dictionary<string, string>()),
        ]);

        await socket.SendAsync(frame, Deadline());
        Assert.Equal([7], (await socket.ReceiveAsync<AckFrame>(Deadline())).Seqs);
        var page = await LogsAsync("logs-1");
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        // Sent again, as by an agent that lost the acknowledgement.
        await socket.SendAsync(frame, Deadline());
        Assert.Equal([7], (await socket.ReceiveAsync<AckFrame>(Deadline())).Seqs);

        var streamed = await stream.NextOfTypeAsync("log", Deadline());
        Assert.Equal(("logs-1", "upstream timed out", "error"), (streamed.GetProperty("agent_id").GetString(), streamed.GetProperty("message").GetString(), streamed.GetProperty("level").GetString()));
        Assert.Equal(2, (await LogsAsync("logs-1")).GetProperty("total").GetInt32());
        var stored = page.GetProperty("entries")[1];
        Assert.Equal(("nginx.service", "42"), (stored.GetProperty("source_name").GetString(), stored.GetProperty("fields").GetProperty("pid").GetString()));
    }

    [Fact]
    public async Task Log_entries_are_acknowledged_only_once_they_are_stored()
    {
        using var certificate = await EnrollAsync("logs-3");
        using var socket = await HelloAsync(certificate, "logs-3");
        var frame = new LogsFrame(1, "file", [new LogEntry(DateTime.UtcNow, LogSourceKind.File, "/var/log/a.log", LogSeverity.Info, "held up", new Dictionary<string, string>())]);
        Task<AckFrame> acknowledged;
        await using (var blocker = new SqliteConnection($"Data Source={Path.Combine(Host.DataDir, "tyto.db")};Pooling=False"))
        {
            await blocker.OpenAsync();
            // The database's write lock, as a long transaction of another writer holds it.
            using var transaction = blocker.BeginTransaction(deferred: false);
            await socket.SendAsync(frame, Deadline());
            acknowledged = socket.ReceiveAsync<AckFrame>(Deadline());

            Assert.NotSame(acknowledged, await Task.WhenAny(acknowledged, Task.Delay(TimeSpan.FromSeconds(2))));
            await transaction.RollbackAsync();
        }

        Assert.Equal([1], (await acknowledged).Seqs);
        Assert.Equal(1, (await LogsAsync("logs-3")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_log_entry_without_a_message_closes_the_channel_and_nothing_is_stored()
    {
        using var certificate = await EnrollAsync("logs-2");
        using var socket = await HelloAsync(certificate, "logs-2");

        await socket.SendAsync(Encoding.UTF8.GetBytes(
            $$$"""{"type":"logs","seq":1,"source":"file","entries":[{"timestamp":"{{{DateTime.UtcNow:O}}}","source":"file","source_name":"/var/log/a.log","level":"info","fields":{}}]}"""),
            WebSocketMessageType.Text, true, Deadline());

        Assert.Equal("INVALID_FRAME", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
        Assert.Equal(0, (await LogsAsync("logs-2")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_hello_naming_another_agent_closes_the_channel()
    {
        using var certificate = await EnrollAsync("hello-1");
        using var socket = await AgentSide.ConnectAsync(Host, certificate, Deadline());

        await socket.SendAsync(new HelloFrame("someone-else", "test", "host", "linux", "x86_64", 0, 0, null), Deadline());

        Assert.Equal("INVALID_FRAME", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
    }

    [Fact]
    public async Task An_oversized_or_unreadable_frame_closes_the_channel()
    {
        using var certificate = await EnrollAsync("oversized-1");
        using (var socket = await HelloAsync(certificate, "oversized-1"))
        {
            await socket.SendAsync(new byte[AgentWire.MaxFrameBytes + 1], WebSocketMessageType.Text, true, Deadline());
            Assert.Equal("INVALID_FRAME", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
        }
        using (var socket = await HelloAsync(certificate, "oversized-1"))
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"sample\",\"seq\":"), WebSocketMessageType.Text, true, Deadline());
            Assert.Equal("INVALID_FRAME", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
        }
    }

    [Fact]
    public async Task A_process_query_is_answered_by_the_agent_through_the_channel()
    {
        using var certificate = await EnrollAsync("processes-1");
        using var socket = await HelloAsync(certificate, "processes-1");

        var asked = fixture.Admin.GetAsync("/api/v1/processes/4242?agent_id=processes-1");
        var command = await socket.ReceiveAsync<CommandFrame>(Deadline());
        Assert.Equal((CommandKind.Process, 4242), (command.Kind, command.Pid));
        var details = new ProcessDetails(4242, "worker", "/usr/bin/worker --fast", "www", "S", 1.5, 1024, 3, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        await socket.SendAsync(new ReplyFrame(command.Id, JsonSerializer.SerializeToElement(new ProcessDetailsResult(details), AgentWire.Json), null), Deadline());

        using var response = await asked;
        var process = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("worker", process.GetProperty("name").GetString());
    }


    [Fact]
    public async Task A_new_refresh_interval_is_sent_as_a_command_and_a_stopping_server_closes_the_channel()
    {
        var host = await TytoHost.StartAsync();
        try
        {
            using var admin = await host.LoginAsync();
            using var certificate = await EnrollAsync(host, admin, "interval-1");
            using var socket = await HelloAsync(host, certificate, "interval-1");

            using (var changed = await admin.PostJsonAsync("/api/v1/settings/refresh", new { interval = 7 }))
                await changed.JsonAsync(HttpStatusCode.OK);
            var command = await socket.ReceiveAsync<CommandFrame>(Deadline());
            Assert.Equal((CommandKind.Interval, 7), (command.Kind, command.Seconds));
            await socket.SendAsync(new ReplyFrame(command.Id, JsonSerializer.SerializeToElement(new { }), null), Deadline());

            var stopping = host.App.StopAsync();
            Assert.Equal("SERVER_STOPPING", (await socket.ReceiveAsync<ClosingFrame>(Deadline())).Code);
            Assert.Null(await socket.ReceiveAsync(Deadline()));
            await stopping;
        }
        finally
        {
            await host.DisposeAsync();
            TytoHost.DeleteDataDir(host.DataDir);
        }
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        // The clock starts two days back, so the token's day of validity is over by the real clock as well as by the advanced one.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));
        await using var host = await TytoHost.StartWithAsync(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        try
        {
            using var admin = await host.LoginAsync();
            var token = await PreRegisterAsync(admin, "late-1");
            clock.Advance(TimeSpan.FromDays(2));
            using var agent = AgentSide.Client(host);

            using var response = await agent.PostAsJsonAsync(AgentWire.EnrollPath, AgentEndpointTests.Request("late-1") with { Token = token, Secret = null }, AgentWire.Json);

            await response.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_TOKEN");
        }
        finally
        {
            TytoHost.DeleteDataDir(host.DataDir);
        }
    }


    private static async Task<EnrollmentAnswer> AnswerAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<EnrollmentAnswer>(body, AgentWire.Json)!;
    }

    private Task<string> PreRegisterAsync(string agentId) => PreRegisterAsync(fixture.Admin, agentId);

    private static async Task<string> PreRegisterAsync(HttpClient admin, string agentId)
    {
        using var response = await admin.PostJsonAsync("/api/v1/agents", new { id = agentId, name = agentId });
        var body = await response.JsonAsync(HttpStatusCode.Created);
        return body.GetProperty("enrollment").GetProperty("token").GetString()!;
    }

    private Task<X509Certificate2> EnrollAsync(string agentId) => EnrollAsync(Host, fixture.Admin, agentId);

    /// <summary>Enrolls with a token and returns the issued certificate with its key, as the agent keeps it.</summary>
    private static async Task<X509Certificate2> EnrollAsync(TytoHost host, HttpClient admin, string agentId)
    {
        var token = await PreRegisterAsync(admin, agentId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={agentId}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        using var agent = AgentSide.Client(host);
        using var response = await agent.PostAsJsonAsync(AgentWire.EnrollPath, AgentEndpointTests.Request(agentId) with { Csr = csr, Token = token, Secret = null }, AgentWire.Json);
        var answer = await AnswerAsync(response, HttpStatusCode.OK);
        using var issued = X509Certificate2.CreateFromPem(answer.Certificate);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private Task<ClientWebSocket> HelloAsync(X509Certificate2 certificate, string agentId) => HelloAsync(Host, certificate, agentId);

    /// <summary>Opens the channel, says hello and waits for the welcome.</summary>
    private static async Task<ClientWebSocket> HelloAsync(TytoHost host, X509Certificate2 certificate, string agentId)
    {
        var socket = await AgentSide.ConnectAsync(host, certificate, Deadline());
        await socket.SendAsync(new HelloFrame(agentId, "test", "host-" + agentId, "linux", "x86_64", 0, 0, null), Deadline());
        var welcome = await socket.ReceiveAsync<WelcomeFrame>(Deadline());
        Assert.Equal(1, welcome.RefreshIntervalSeconds);
        return socket;
    }

    private async Task<List<JsonElement>> RawHistoryAsync(string agentId)
    {
        using var response = await fixture.Admin.GetAsync($"/api/v1/history?agent_id={agentId}&resolution=raw");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("data").EnumerateArray()];
    }

    private async Task<JsonElement> LogsAsync(string agentId)
    {
        using var response = await fixture.Admin.GetAsync($"/api/v1/logs?agent_id={agentId}");
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
