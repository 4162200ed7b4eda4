using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class HealthAndErrorTests(SharedHost shared)
{
    [Fact]
    public async Task Health_is_public_and_reports_status_version_and_uptime()
    {
        using var response = await shared.Host.Client.GetAsync("/health");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", body.GetProperty("version").GetString());
        Assert.True(body.GetProperty("uptime").GetInt64() >= 0);
    }

    [Fact]
    public async Task Health_reports_the_node_and_its_cluster_of_one()
    {
        using var response = await shared.Host.Client.GetAsync("/health");
        var cluster = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("cluster");

        var node = cluster.GetProperty("node").GetString();
        Assert.StartsWith("akka.ssl.tcp://tyto@127.0.0.1:", node, StringComparison.Ordinal);
        Assert.Equal("up", cluster.GetProperty("status").GetString());
        Assert.Equal(node, cluster.GetProperty("leader").GetString());
        var member = Assert.Single(cluster.GetProperty("members").EnumerateArray());
        Assert.Equal(node, member.GetProperty("node").GetString());
        Assert.Equal("up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Unknown_route_under_api_is_a_404_envelope()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/does-not-exist");
        await response.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Wrong_method_is_a_405_envelope()
    {
        using var response = await shared.Admin.DeleteAsync("/api/v1/settings/refresh");
        await response.ErrorAsync(HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Theory]
    [InlineData("GET", "/api/v1/stream")]
    [InlineData("GET", "/api/v1/auth/me")]
    [InlineData("PUT", "/api/v1/auth/me")]
    [InlineData("PUT", "/api/v1/auth/me/password")]
    [InlineData("POST", "/api/v1/auth/logout")]
    [InlineData("GET", "/api/v1/processes/1")]
    [InlineData("POST", "/api/v1/processes/1/signal")]
    [InlineData("POST", "/api/v1/settings/refresh")]
    [InlineData("GET", "/api/v1/export/metrics")]
    public async Task Protected_endpoints_need_a_token(string method, string path)
    {
        using var anonymous = await shared.Host.Client.SendRawAsync(new HttpMethod(method), path, "{}");
        await anonymous.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-real-token");
        using var forged = await shared.Host.Client.SendAsync(request);
        await forged.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Access_token_in_the_query_is_only_accepted_by_streams()
    {
        var token = await shared.Host.TokenAsync();
        using var response = await shared.Host.Client.GetAsync($"/api/v1/auth/me?access_token={token}");
        await response.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Theory]
    [InlineData("/api/v1/settings/refresh", "{\"interval\":\"5\"}", "interval", "must be a whole number")]
    [InlineData("/api/v1/settings/refresh", "{\"INTERVAL\":5}", "INTERVAL", "is not a property of this request; use interval")]
    [InlineData("/api/v1/settings/refresh", "{\"interval\":5,\"interval\":6}", "interval", "is given more than once")]
    [InlineData("/api/v1/settings/refresh", "{\"interval\":5,\"extra\":1}", "extra", "is not a property of this request; use interval")]
    [InlineData("/api/v1/settings/refresh", "[5]", "body", "must be a JSON object")]
    [InlineData("/api/v1/settings/refresh", "{\"interval\":5", "body", "is not valid JSON (line 1, byte 14)")]
    [InlineData("/api/v1/roles", "{\"name\":\"x\",\"permissions\":[1]}", "permissions[0]", "must be a string")]
    [InlineData("/api/v1/roles", "{\"name\":\"x\",\"permissions\":[],\"permissions\":[]}", "permissions", "must be a list, given once")]
    [InlineData("/api/v1/users", "{\"Username\":\"x\"}", "Username", "is not a property of this request; use username, password, email, roles")]
    [InlineData("/api/v1/alerts/config", "{\"cpu\":{\"warning\":50},\"cpu\":{\"warning\":60}}", "body", "gives a property more than once")]
    [InlineData("/api/v1/alerts/config", "{\"cpu\":{\"warning\":50,\"warning\":60}}", "body", "gives a property more than once")]
    public async Task Bodies_are_strict_and_a_refusal_names_the_property(string path, string json, string field, string problem)
    {
        using var response = await shared.Admin.SendRawAsync(HttpMethod.Post, path, json);
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Assert.Equal(problem, body.GetProperty("details").GetProperty(field).GetString());
        Assert.DoesNotContain("Tyto.", body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/v1/settings/refresh", "")]
    [InlineData("POST", "/api/v1/settings/refresh", "null")]
    [InlineData("POST", "/api/v1/alerts/config", "")]
    [InlineData("PUT", "/api/v1/auth/me", "")]
    [InlineData("PUT", "/api/v1/auth/me", "null")]
    public async Task A_missing_body_is_named_without_framework_text(string method, string path, string empty)
    {
        using var response = await shared.Admin.SendRawAsync(new HttpMethod(method), path, empty);
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Assert.Equal("The request body is required", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Updating_the_own_profile_keeps_an_absent_email_and_clears_a_null_one()
    {
        var username = $"profile-{Guid.NewGuid():N}"[..20];
        using (var created = await shared.Admin.PostJsonAsync("/api/v1/users", new { username, password = "profile-password-1", email = "me@example.com", roles = new[] { "viewer" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        using var client = await shared.Host.LoginAsync(username, "profile-password-1");

        using (var absent = await client.SendRawAsync(HttpMethod.Put, "/api/v1/auth/me", "{}"))
            Assert.Equal("me@example.com", (await absent.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());
        using (var me = await client.GetAsync("/api/v1/auth/me"))
            Assert.Equal("me@example.com", (await me.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());

        using (var cleared = await client.SendRawAsync(HttpMethod.Put, "/api/v1/auth/me", "{\"email\":null}"))
            Assert.Equal(JsonValueKind.Null, (await cleared.JsonAsync(HttpStatusCode.OK)).GetProperty("email").ValueKind);
    }

    [Theory]
    [InlineData("GET //api//v1//users HTTP/1.1", 404, "NOT_FOUND")]
    [InlineData("POST /no/such/page HTTP/1.1", 404, "NOT_FOUND")]
    [InlineData("GET /assets/no-such-version/main.js HTTP/1.1", 404, "NOT_FOUND")]
    public async Task Errors_outside_api_paths_are_envelopes_too(string requestLine, int status, string code)
    {
        var response = await RawHttp.SendAsync(shared.Host.Address, $"{requestLine}\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        response.AssertEnvelope(status, code);
    }

    [Fact]
    public async Task An_overlong_request_target_is_a_414_envelope()
    {
        var target = "/api/v1/processes?q=" + new string('a', RequestLimitsMiddleware.MaxTargetLength);
        var response = await RawHttp.SendAsync(shared.Host.Address, $"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        response.AssertEnvelope(414, "URI_TOO_LONG");
    }

    [Fact]
    public async Task Oversized_or_too_many_headers_are_a_431_envelope()
    {
        var big = $"X-Big: {new string('b', RequestLimitsMiddleware.MaxHeadersSize)}\r\n";
        var many = string.Concat(Enumerable.Range(0, RequestLimitsMiddleware.MaxHeaderCount + 1).Select(i => $"X-Many-{i}: {i}\r\n"));
        foreach (var headers in new[] { big, many })
        {
            var response = await RawHttp.SendAsync(shared.Host.Address, $"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}\r\n");
            response.AssertEnvelope(431, "HEADERS_TOO_LARGE");
        }
    }
}

/// <summary>Raw bytes over a socket to the real host, for requests an HTTP client would refuse to send or would clean up.</summary>
internal static class RawHttp
{
    public sealed record Response(int Status, string ContentType, string Body)
    {
        public void AssertEnvelope(int status, string code)
        {
            Assert.True(status == Status, $"Expected {status}, got {Status}: {Body}");
            Assert.StartsWith("application/json", ContentType, StringComparison.Ordinal);
            var body = JsonDocument.Parse(Body).RootElement;
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
            Assert.Equal(JsonValueKind.Object, body.GetProperty("details").ValueKind);
        }
    }

    public static Task<Response> SendAsync(Uri address, string request) => SendAsync(address, Encoding.Latin1.GetBytes(request));

    /// <summary>Sends the request and reads until the server closes the connection.</summary>
    public static async Task<Response> SendAsync(Uri address, byte[] request)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tcp.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.UTF8.GetString(received.ToArray());
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = text[..headEnd].Split("\r\n");
        var contentType = head.Skip(1).Select(h => h.Split(':', 2)).FirstOrDefault(h => h[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))?[1].Trim() ?? "";
        return new Response(int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), contentType, text[(headEnd + 4)..]);
    }
}
