using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LinqToDB;
using LinqToDB.Async;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Identity;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests;

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

    [Fact]
    public async Task Anonymous_requests_leave_no_trace()
    {
        var before = await TotalAsync();
        for (var i = 0; i < 25; i++)
        {
            using (var unknown = await shared.Host.Client.PostJsonAsync($"/api/v1/no-such-thing-{i}", new { }))
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            using (var unauthorized = await shared.Host.Client.PostJsonAsync("/api/v1/users", new { username = $"intruder-{i}" }))
                Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }
        Assert.Equal(before, await TotalAsync());
    }

    [Fact]
    public async Task Failed_sign_ins_are_counted_on_one_row_and_refusals_are_not_recorded()
    {
        for (var i = 0; i < 7; i++)
        {
            using var failed = await shared.Host.Client.PostJsonAsync("/api/v1/auth/login", new { username = "guesser", password = $"guess-{i}" });
            Assert.Equal(i < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, failed.StatusCode);
        }

        using var response = await shared.Admin.GetAsync("/api/v1/audit?user=guesser");
        var row = Assert.Single((await response.JsonAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray());
        Assert.Equal(5, row.GetProperty("count").GetInt32());
        Assert.Equal(401, row.GetProperty("status").GetInt32());
        Assert.Equal("denied", row.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Stored_strings_are_cut_to_their_columns()
    {
        var username = new string('u', 5000);
        using (var failed = await shared.Host.Client.PostJsonAsync("/api/v1/auth/login", new { username, password = "wrong-password" }))
            await failed.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        var id = new string('i', 4000);
        using (var unknown = await shared.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/users/{id}/password")
        {
            Content = JsonContent.Create(new { new_password = "a-new-password" }),
        }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var response = await shared.Admin.GetAsync("/api/v1/audit?limit=1000");
        var entries = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("username").GetString() == username[..64]);
        Assert.Contains(entries, e => Target(e) == $"id={id}"[..200]);
    }

    [Fact]
    public async Task A_huge_body_is_refused_before_it_is_read_and_leaves_no_trace()
    {
        var before = await TotalAsync();
        var body = $$"""{"username":"{{new string('x', 20 * 1024 * 1024)}}","password":"wrong-password"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        // The server answers before the body is sent, instead of closing a connection the client is still writing to.
        request.Headers.ExpectContinue = true;
        using (var refused = await shared.Host.Client.SendAsync(request))
            await refused.ErrorAsync(HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");

        using var page = await shared.Admin.GetAsync("/api/v1/audit?limit=1000");
        Assert.True((await page.Content.ReadAsByteArrayAsync()).Length < 1024 * 1024);
        Assert.Equal(before, await TotalAsync());
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

    private async Task<int> TotalAsync()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/audit?limit=1");
        return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32();
    }

    private static string? Target(JsonElement entry) => entry.GetProperty("target").GetString();
}

public sealed class AuditRetentionTests
{
    [Fact]
    public async Task Entries_past_the_retention_and_expired_sessions_are_pruned()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TytoHost.StartWithAsync(
            services => services.AddSingleton<TimeProvider>(clock), "--Tyto:Auth:AuditRetention=30.00:00:00", "--Tyto:Auth:SessionLifetime=01:00:00");
        var database = host.App.Services.GetRequiredService<TytoDatabase>();
        await host.TokenAsync();
        await Poll.UntilAsync(async () => await CountAsync<AuditRecord>(database) == 1, "the first login is audited");

        clock.Advance(TimeSpan.FromDays(20));
        await Poll.UntilAsync(async () => await CountAsync<SessionRecord>(database) == 0, "the expired session is deleted");
        await host.TokenAsync();
        await Poll.UntilAsync(async () => await CountAsync<AuditRecord>(database) == 2, "the second login is audited");

        clock.Advance(TimeSpan.FromDays(15));
        await Poll.UntilAsync(async () => await CountAsync<AuditRecord>(database) == 1, "the first login's entry is pruned");
        await Poll.UntilAsync(async () => await CountAsync<SessionRecord>(database) == 0, "the second session is deleted");
        TytoHost.DeleteDataDir(host.DataDir);
    }

    private static async Task<int> CountAsync<T>(TytoDatabase database)
        where T : class
    {
        await using var db = database.Open();
        return await db.GetTable<T>().CountAsync();
    }
}
