using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class AuthTests(SharedHost shared)
{
    private HttpClient Anonymous => shared.Host.Client;

    [Fact]
    public async Task Login_returns_a_token_the_user_and_its_expiry()
    {
        var before = DateTime.UtcNow;
        using var response = await Anonymous.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = TytoHost.AdminPassword });
        var body = await response.JsonAsync(HttpStatusCode.OK);

        var token = body.GetProperty("token").GetString()!;
        Assert.True(Convert.FromBase64String(Base64(token)).Length == 32, "a 256-bit token");
        var user = body.GetProperty("user");
        Assert.Equal("admin", user.GetProperty("username").GetString());
        Assert.True(Guid.TryParse(user.GetProperty("id").GetString(), out _));
        Assert.Equal(["admin"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["*"], user.GetProperty("permissions").EnumerateArray().Select(r => r.GetString()));
        Assert.True(user.TryGetProperty("email", out _));
        Assert.False(user.TryGetProperty("password", out _));
        Assert.False(user.TryGetProperty("password_hash", out _));

        var expiresAt = body.GetProperty("expires_at");
        Assert.EndsWith("Z", expiresAt.GetString(), StringComparison.Ordinal);
        var lifetime = expiresAt.GetDateTime().ToUniversalTime() - before;
        Assert.InRange(lifetime, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
    }

    [Theory]
    [InlineData("admin", "wrong-password")]
    [InlineData("nobody", "wrong-password")]
    [InlineData("ADMIN", "wrong-password")]
    public async Task Bad_credentials_are_401_whether_or_not_the_user_exists(string username, string password)
    {
        using var response = await Anonymous.PostJsonAsync("/api/v1/auth/login", new { username, password });
        var body = await response.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Assert.Equal("Invalid username or password", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Usernames_are_matched_without_regard_to_case()
    {
        using var response = await Anonymous.PostJsonAsync("/api/v1/auth/login", new { username = "Admin", password = TytoHost.AdminPassword });
        await response.JsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{\"password\":\"x\"}", "username")]
    [InlineData("{\"username\":\"admin\"}", "password")]
    [InlineData("{\"username\":\"\",\"password\":\"\"}", "username")]
    public async Task Login_without_a_field_is_400_naming_it(string json, string field)
    {
        using var response = await Anonymous.SendRawAsync(HttpMethod.Post, "/api/v1/auth/login", json);
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(body.GetProperty("details").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("{\"username\":")]
    [InlineData("not json")]
    [InlineData("{\"username\":42,\"password\":[]}")]
    [InlineData("")]
    public async Task Malformed_login_body_is_400(string json)
    {
        using var response = await Anonymous.SendRawAsync(HttpMethod.Post, "/api/v1/auth/login", json);
        await response.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
    }

    [Fact]
    public async Task Me_shows_the_user_with_its_last_login()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/auth/me");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("admin", body.GetProperty("username").GetString());
        Assert.Equal("local", body.GetProperty("auth_provider").GetString());
        Assert.Equal(["*"], body.GetProperty("permissions").EnumerateArray().Select(r => r.GetString()));
        Assert.EndsWith("Z", body.GetProperty("last_login").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_me_changes_the_email_and_rejects_an_invalid_one()
    {
        using var client = await shared.Host.LoginAsync();
        using var ok = await client.PutAsJsonAsync("/api/v1/auth/me", new { email = "ops@example.com" });
        Assert.Equal("ops@example.com", (await ok.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());

        using var bad = await client.PutAsJsonAsync("/api/v1/auth/me", new { email = "not an address" });
        var error = await bad.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(error.GetProperty("details").TryGetProperty("email", out _));

        using var me = await client.GetAsync("/api/v1/auth/me");
        Assert.Equal("ops@example.com", (await me.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task Logout_revokes_the_token_only()
    {
        using var first = await shared.Host.LoginAsync();
        using var second = await shared.Host.LoginAsync();
        using var logout = await first.PostAsync("/api/v1/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var revoked = await first.GetAsync("/api/v1/auth/me");
        await revoked.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using var other = await second.GetAsync("/api/v1/auth/me");
        await other.JsonAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/api/v1/users/stream")]
    [InlineData("/api/v1/users")]
    [InlineData("/api/v1/audit")]
    public async Task Access_token_in_the_query_is_refused_off_the_sse_endpoints(string path)
    {
        var token = await shared.Host.TokenAsync();
        using var response = await Anonymous.GetAsync($"{path}?access_token={token}");
        await response.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    private static string Base64(string url) =>
        url.Replace('-', '+').Replace('_', '/') + new string('=', (4 - url.Length % 4) % 4);
}

/// <summary>Reads every log line the server writes, at every level.</summary>
public sealed class AccessTokenLoggingTests
{
    [Fact]
    public async Task An_access_token_in_the_query_is_never_logged()
    {
        var logs = new LogCapture();
        await using var host = await TytoHost.StartWithAsync(
            services => services.AddSingleton<ILoggerProvider>(logs), "--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft.AspNetCore=Information");
        var token = await host.TokenAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        await using (var stream = await SseReader.OpenAsync(host.Client, $"/api/v1/stream?access_token={token}", deadline.Token))
            await stream.NextSampleAsync(deadline.Token);
        using (var elsewhere = await host.Client.GetAsync($"/api/v1/users/stream?access_token={token}"))
            Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);

        Assert.Contains(logs.Lines, line => line.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    private sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture.Lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}

/// <summary>Password changes end sessions, so they get a host of their own.</summary>
public sealed class PasswordChangeTests : IAsyncLifetime
{
    private TytoHost _host = null!;

    public async Task InitializeAsync() => _host = await TytoHost.StartAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(_host.DataDir);
    }

    [Fact]
    public async Task Changing_the_password_checks_the_current_one_and_ends_other_sessions()
    {
        using var current = await _host.LoginAsync();
        using var other = await _host.LoginAsync();

        using var wrong = await current.PutAsJsonAsync("/api/v1/auth/me/password", new { current_password = "not-the-password", new_password = "a-brand-new-password" });
        await wrong.ErrorAsync(HttpStatusCode.BadRequest, "WRONG_PASSWORD");

        using var tooShort = await current.PutAsJsonAsync("/api/v1/auth/me/password", new { current_password = TytoHost.AdminPassword, new_password = "short" });
        var shortError = await tooShort.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(shortError.GetProperty("details").TryGetProperty("new_password", out _));

        using var sameAsUsername = await current.PutAsJsonAsync("/api/v1/auth/me/password", new { current_password = TytoHost.AdminPassword, new_password = "ADMIN" });
        await sameAsUsername.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        using var missing = await current.PutAsJsonAsync("/api/v1/auth/me/password", new { new_password = "a-brand-new-password" });
        await missing.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        using var changed = await current.PutAsJsonAsync("/api/v1/auth/me/password", new { current_password = TytoHost.AdminPassword, new_password = "a-brand-new-password" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        using (var stillSignedIn = await current.GetAsync("/api/v1/auth/me"))
            await stillSignedIn.JsonAsync(HttpStatusCode.OK);
        using (var ended = await other.GetAsync("/api/v1/auth/me"))
            await ended.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using (var oldPassword = await _host.Client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = TytoHost.AdminPassword }))
            await oldPassword.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await _host.TokenAsync("admin", "a-brand-new-password");
    }
}
