using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Api.Auth;
using Tyto.Collection.Channel;

namespace Tyto.Api.Tests;

/// <summary>
/// Walks every mapped endpoint from the endpoint metadata, so a new endpoint is covered without touching this test:
/// anonymous callers get 401, a user without the declared permission 403, a user holding exactly it gets through.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private static readonly HashSet<string> Public =
    [
        "GET /health", "POST /api/v1/auth/login", "POST /api/v1/auth/register",
        // The agent endpoint's own: enrollment comes without a certificate, the channel checks the agent's.
        $"GET {AgentWire.CaPath}", $"POST {AgentWire.EnrollPath}", $"POST {AgentWire.PollPath}", $"GET {AgentWire.ChannelPath}",
    ];

    private const string Password = "matrix-password-1";

    private TytoHost _host = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TytoHost.StartAsync(null, "--Tyto:Auth:AllowRegistration=true");
        _admin = await _host.LoginAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(_host.DataDir);
    }

    [Fact]
    public void Every_endpoint_declares_who_may_call_it()
    {
        var undeclared = Endpoints()
            .Where(e => e.Permission is null && !e.SignedIn && !IsPublic(e))
            .Select(e => e.Name)
            .ToList();
        Assert.Empty(undeclared);
        Assert.All(Endpoints().Where(IsPublic), e => Assert.True(e.Anonymous, $"{e.Name} should be public"));
    }

    [Fact]
    public async Task Each_endpoint_answers_401_403_and_lets_its_permission_through()
    {
        var nobody = await UserWithRolesAsync("nobody", []);
        foreach (var endpoint in Endpoints().Where(e => !IsPublic(e)))
        {
            using (var anonymous = await SendAsync(_host.Client, endpoint))
                await anonymous.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

            if (endpoint.SignedIn)
            {
                // A session of its own: logout ends the one it is sent with.
                using var session = await _host.LoginAsync("nobody", Password);
                using var allowed = await SendAsync(session, endpoint);
                Assert.True(allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{endpoint.Name}: {allowed.StatusCode}");
                continue;
            }

            using (var forbidden = await SendAsync(nobody, endpoint))
                await forbidden.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

            var holder = await UserWithPermissionAsync(endpoint.Permission!);
            using var granted = await SendAsync(holder, endpoint);
            if (granted.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                Assert.Fail($"{endpoint.Name} with {endpoint.Permission}: {(int)granted.StatusCode} {await granted.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Public: the endpoints listed, and the API's description with its reference page.</summary>
    private static bool IsPublic(MappedEndpoint endpoint) =>
        Public.Contains(endpoint.Name) || endpoint.Pattern == ApiDocument.DocumentPath || endpoint.Pattern.StartsWith(ApiDocument.ReferencePath + "/", StringComparison.Ordinal);

    private sealed record MappedEndpoint(string Method, string Pattern, string? Permission, bool SignedIn, bool Anonymous)
    {
        public string Name => $"{Method} {Pattern}";
    }

    private List<MappedEndpoint> Endpoints() =>
        _host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e =>
            {
                var declared = e.Metadata.GetMetadata<PermissionMetadata>();
                var anonymous = e.Metadata.GetMetadata<IAllowAnonymous>() is not null;
                var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                var pattern = "/" + e.RoutePattern.RawText!.TrimStart('/');
                return methods.Select(m => new MappedEndpoint(m, pattern, declared?.Permission, declared is { Permission: null }, anonymous));
            })
            .ToList();

    private readonly Dictionary<string, HttpClient> _holders = [];

    private async Task<HttpClient> UserWithPermissionAsync(string permission)
    {
        if (_holders.TryGetValue(permission, out var client))
            return client;
        var roleName = $"only {permission}";
        using (var role = await _admin.PostJsonAsync("/api/v1/roles", new { name = roleName, description = "matrix test", permissions = new[] { permission } }))
            await role.JsonAsync(HttpStatusCode.Created);
        client = await UserWithRolesAsync($"holder-{_holders.Count}", [Tyto.Actors.Identity.IdentityRules.Slug(roleName)]);
        _holders[permission] = client;
        return client;
    }

    private async Task<HttpClient> UserWithRolesAsync(string username, string[] roles)
    {
        using (var created = await _admin.PostJsonAsync("/api/v1/users", new { username, password = Password, roles }))
            await created.JsonAsync(HttpStatusCode.Created);
        return await _host.LoginAsync(username, Password);
    }

    /// <summary>A request shaped enough to pass routing: placeholder route values, an empty JSON body where one is read.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, MappedEndpoint endpoint)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(endpoint.Pattern, @"\{(\w+)[^}]*\}", m => m.Groups[1].Value == "pid" ? "1" : "matrix-placeholder");
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
        if (endpoint.Method is not ("GET" or "DELETE"))
            request.Content = new StringContent("{}", new MediaTypeHeaderValue("application/json"));
        // Streams never end; their headers are enough.
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
