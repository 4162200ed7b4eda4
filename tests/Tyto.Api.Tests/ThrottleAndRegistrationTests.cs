using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Tyto.Api.Tests;

public sealed class LoginThrottleTests
{
    [Fact]
    public async Task Five_failures_from_an_address_lock_the_username_there_until_the_window_passes_even_with_the_right_password()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TytoHost.StartWithAsync(services => services.AddSingleton<TimeProvider>(clock), "--Tyto:Auth:LoginThrottle:Window=00:01:00");
        for (var i = 0; i < 5; i++)
            await FailAsync(host.Client, "admin");

        using var locked = await LoginAsync(host.Client, "ADMIN", TytoHost.AdminPassword);
        await locked.ErrorAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        var retryAfter = int.Parse(locked.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.Equal(60, retryAfter);

        // Other usernames from the same address are not locked by this one.
        using (var other = await LoginAsync(host.Client, "someone-else", "wrong-password"))
            await other.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");

        clock.Advance(TimeSpan.FromSeconds(retryAfter));
        using var unlocked = await LoginAsync(host.Client, "admin", TytoHost.AdminPassword);
        await unlocked.JsonAsync(HttpStatusCode.OK);
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Failures_from_one_address_do_not_lock_the_right_password_out_from_another()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00", "--Tyto:Auth:LoginThrottle:SlowDown=00:00:00.2");
        for (var i = 0; i < 5; i++)
            await FailAsync(host.Client, "admin");
        using (var locked = await LoginAsync(host.Client, "admin", TytoHost.AdminPassword))
            await locked.ErrorAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");

        using var elsewhere = ClientFrom(host.Address, IPAddress.Parse("127.0.0.2"));
        using var signedIn = await LoginAsync(elsewhere, "admin", TytoHost.AdminPassword);
        await signedIn.JsonAsync(HttpStatusCode.OK);
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Parallel_wrong_passwords_never_pass_the_limit()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00");
        var answers = await StatusesAsync(40, _ => LoginAsync(host.Client, "admin", "wrong-password"));
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(35, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Parallel_wrong_current_passwords_never_pass_the_limit()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00");
        using var admin = await host.LoginAsync();
        var answers = await StatusesAsync(30, _ => admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/v1/auth/me/password")
        {
            Content = JsonContent.Create(new { current_password = "wrong-password", new_password = "a-new-admin-password" }),
        }));
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.BadRequest));
        Assert.Equal(25, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Parallel_registrations_from_one_address_never_pass_its_limit()
    {
        await using var host = await TytoHost.StartAsync(
            null, "--Tyto:Auth:AllowRegistration=true", "--Tyto:Auth:LoginThrottle:Window=00:10:00", "--Tyto:Auth:LoginThrottle:MaxFailuresPerAddress=5");
        var answers = await StatusesAsync(25, i => host.Client.PostJsonAsync("/api/v1/auth/register", new { username = $"newcomer-{i}", password = "newcomer-password" }));
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Created));
        Assert.Equal(20, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task A_successful_login_resets_the_usernames_count()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00", "--Tyto:Auth:LoginThrottle:SlowDown=00:00:00.2");
        for (var i = 0; i < 4; i++)
            await FailAsync(host.Client, "admin");
        await host.TokenAsync();
        for (var i = 0; i < 4; i++)
            await FailAsync(host.Client, "admin");
        await host.TokenAsync();
        TytoHost.DeleteDataDir(host.DataDir);
    }

    [Fact]
    public async Task Too_many_failures_from_one_address_lock_every_username()
    {
        await using var host = await TytoHost.StartAsync(null, "--Tyto:Auth:LoginThrottle:Window=00:10:00", "--Tyto:Auth:LoginThrottle:MaxFailuresPerAddress=3");
        for (var i = 0; i < 3; i++)
            await FailAsync(host.Client, $"guess-{i}");
        using var locked = await LoginAsync(host.Client, "admin", TytoHost.AdminPassword);
        await locked.ErrorAsync(HttpStatusCode.TooManyRequests, "TOO_MANY_ATTEMPTS");
        Assert.True(locked.Headers.Contains("Retry-After"));
        TytoHost.DeleteDataDir(host.DataDir);
    }

    private static async Task FailAsync(HttpClient client, string username)
    {
        using var response = await LoginAsync(client, username, "wrong-password");
        await response.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    /// <summary>Sends <paramref name="count"/> requests at once and answers their statuses.</summary>
    private static Task<HttpStatusCode[]> StatusesAsync(int count, Func<int, Task<HttpResponseMessage>> send) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var response = await send(i);
            return response.StatusCode;
        }));

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string username, string password) =>
        client.PostJsonAsync("/api/v1/auth/login", new { username, password });

    /// <summary>A client whose connections come from <paramref name="local"/>: another loopback address is another client to the server.</summary>
    private static HttpClient ClientFrom(Uri server, IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = server };
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
