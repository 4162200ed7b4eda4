using System.Net;

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
}
