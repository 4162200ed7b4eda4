using System.Globalization;
using System.Net;

namespace Tyto.Api.Tests;

public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Five_failures_for_a_username_lock_it_until_the_window_passes_even_with_the_right_password()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:00:04");
        for (var i = 0; i < 5; i++)
            await FailAsync(host, "admin");

        using var locked = await LoginAsync(host, "ADMIN", TytoHost.AdminPassword);
        await locked.ErrorAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        var retryAfter = int.Parse(locked.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 4);

        // Other usernames from the same address are not locked by this one.
        using (var other = await LoginAsync(host, "someone-else", "wrong-password"))
            await other.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");

        await Task.Delay(TimeSpan.FromSeconds(retryAfter + 0.5));
        using var unlocked = await LoginAsync(host, "admin", TytoHost.AdminPassword);
        await unlocked.JsonAsync(HttpStatusCode.OK);
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task A_successful_login_resets_the_usernames_count()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00");
        for (var i = 0; i < 4; i++)
            await FailAsync(host, "admin");
        await host.TokenAsync();
        for (var i = 0; i < 4; i++)
            await FailAsync(host, "admin");
        await host.TokenAsync();
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Too_many_failures_from_one_address_lock_every_username()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00", "--Tyto:Auth:LoginThrottle:MaxFailuresPerAddress=3");
        for (var i = 0; i < 3; i++)
            await FailAsync(host, $"guess-{i}");
        using var locked = await LoginAsync(host, "admin", TytoHost.AdminPassword);
        await locked.ErrorAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        Assert.True(locked.Headers.Contains("Retry-After"));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    private static async Task FailAsync(TytoHost host, string username)
    {
        using var response = await LoginAsync(host, username, "wrong-password");
        await response.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    private static Task<HttpResponseMessage> LoginAsync(TytoHost host, string username, string password) =>
        host.Client.PostJsonAsync("/api/v1/auth/login", new { username, password });
}

[Collection(SharedHostGroup.Name)]
public sealed class RegistrationDisabledTests(SharedHost shared)
{
    [Fact]
    public async Task Registration_is_off_by_default()
    {
        using var response = await shared.Host.Client.PostJsonAsync("/api/v1/auth/register", new { username = "newcomer", password = "newcomer-password" });
        await response.ErrorAsync(HttpStatusCode.Forbidden, "REGISTRATION_DISABLED");
        using var login = await shared.Host.Client.PostJsonAsync("/api/v1/auth/login", new { username = "newcomer", password = "newcomer-password" });
        await login.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }
}

public sealed class RegistrationTests : IAsyncLifetime
{
    private TytoHost _host = null!;

    public async Task InitializeAsync() => _host = await TytoHost.StartAsync(null, "--Tyto:Auth:AllowRegistration=true");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(_host.DataDir);
    }

    [Fact]
    public async Task Registered_accounts_are_viewers_and_follow_the_account_rules()
    {
        using (var created = await _host.Client.PostJsonAsync("/api/v1/auth/register", new { username = "newcomer", password = "newcomer-password", email = "new@example.com" }))
        {
            var user = await created.JsonAsync(HttpStatusCode.Created);
            Assert.Equal(["viewer"], UsersTests.Strings(user.GetProperty("roles")));
            Assert.Equal("new@example.com", user.GetProperty("email").GetString());
        }
        using var newcomer = await _host.LoginAsync("newcomer", "newcomer-password");
        using (var denied = await newcomer.GetAsync("/api/v1/users"))
            await denied.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        using (var taken = await _host.Client.PostJsonAsync("/api/v1/auth/register", new { username = "NEWCOMER", password = "another-password" }))
            await taken.ErrorAsync(HttpStatusCode.Conflict, "USERNAME_TAKEN");
        using (var weak = await _host.Client.PostJsonAsync("/api/v1/auth/register", new { username = "weakling", password = "123" }))
            await weak.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        using (var malformed = await _host.Client.SendRawAsync(HttpMethod.Post, "/api/v1/auth/register", "{"))
            await malformed.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
    }
}
