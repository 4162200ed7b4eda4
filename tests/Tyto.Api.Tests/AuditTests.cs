using System.Net;
using System.Text.Json;

namespace Tyto.Api.Tests;

public sealed class AuditTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string SecretPassword = "audit-secret-password";

    [Fact]
    public async Task State_changes_are_recorded_with_who_what_target_and_outcome_but_no_secrets()
    {
        string userId;
        using (var created = await shared.Admin.PostJsonAsync("/api/v1/users", new { username = "audited", password = SecretPassword }))
            userId = (await created.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using (var failed = await shared.Host.Client.PostJsonAsync("/api/v1/auth/login", new { username = "audited", password = "not-" + SecretPassword }))
            await failed.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        var token = await shared.Host.TokenAsync("audited", SecretPassword);
        using (var disabled = await shared.Admin.DeleteAsync($"/api/v1/users/{userId}"))
            Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);

        using var response = await shared.Admin.GetAsync("/api/v1/audit?limit=1000");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        var raw = body.GetRawText();
        Assert.DoesNotContain(SecretPassword, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(token, raw, StringComparison.Ordinal);

        var entries = body.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(entries.Count, body.GetProperty("total").GetInt32());
        var create = entries.Single(e => e.GetProperty("action").GetString() == "POST /api/v1/users" && Target(e) == $"/api/v1/users/{userId}");
        Assert.Equal("admin", create.GetProperty("username").GetString());
        Assert.Equal("success", create.GetProperty("outcome").GetString());
        Assert.Equal(201, create.GetProperty("status").GetInt32());
        Assert.Equal("127.0.0.1", create.GetProperty("client_address").GetString());
        Assert.EndsWith("Z", create.GetProperty("timestamp").GetString(), StringComparison.Ordinal);

        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "POST /api/v1/auth/login" && e.GetProperty("username").GetString() == "audited" &&
                                      e.GetProperty("outcome").GetString() == "denied" && e.GetProperty("status").GetInt32() == 401);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "DELETE /api/v1/users/{id}" && Target(e) == $"id={userId}" &&
                                      e.GetProperty("outcome").GetString() == "success");
        Assert.DoesNotContain(entries, e => e.GetProperty("action").GetString()!.StartsWith("GET ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_audit_log_pages_and_filters()
    {
        using (var created = await shared.Admin.PostJsonAsync("/api/v1/users", new { username = "pager", password = SecretPassword }))
            await created.JsonAsync(HttpStatusCode.Created);
        await shared.Host.TokenAsync("pager", SecretPassword);

        using (var one = await shared.Admin.GetAsync("/api/v1/audit?limit=1"))
        {
            var body = await one.JsonAsync(HttpStatusCode.OK);
            Assert.Single(body.GetProperty("entries").EnumerateArray());
            Assert.True(body.GetProperty("total").GetInt32() >= 2);
        }
        using (var byUser = await shared.Admin.GetAsync("/api/v1/audit?user=pager"))
            Assert.All((await byUser.JsonAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray(), e => Assert.Equal("pager", e.GetProperty("username").GetString()));
        var future = DateTime.UtcNow.AddDays(1).ToString("O");
        using (var none = await shared.Admin.GetAsync($"/api/v1/audit?from={future}"))
            Assert.Empty((await none.JsonAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray());
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2024-13-45", "to")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "from")]
    public async Task Bad_query_parameters_are_400(string query, string field)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/audit?{query}");
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(body.GetProperty("details").TryGetProperty(field, out _));
    }

    private static string? Target(JsonElement entry) => entry.GetProperty("target").GetString();
}
