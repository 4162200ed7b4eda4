using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tyto.Actors.Identity;

namespace Tyto.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> tokens against live sessions. Endpoints marked with
/// <see cref="AccessTokenQueryMetadata"/> (the SSE streams) also take <c>?access_token=</c>, because a browser's
/// EventSource cannot set headers; everywhere else that parameter is ignored.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IdentityStore identity)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string PermissionClaim = "tyto:permission";
    public const string TokenItem = "tyto:token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenOf(Request);
        if (token is null)
            return AuthenticateResult.NoResult();
        var user = await identity.AuthenticateAsync(token, Context.RequestAborted);
        if (user is null)
            return AuthenticateResult.Fail("Invalid or expired token");

        Context.Items[TokenItem] = token;
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.UserId), new(ClaimTypes.Name, user.Username) };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(user.Permissions.Select(p => new Claim(PermissionClaim, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "A valid token is required");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, "FORBIDDEN", "You do not have permission for this");

    private string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim() is { Length: > 0 } token ? token : null;
        if (Context.GetEndpoint()?.Metadata.GetMetadata<AccessTokenQueryMetadata>() is not null &&
            request.Query.TryGetValue(AccessTokenQueryMetadata.Parameter, out var query) && !string.IsNullOrEmpty(query))
            return query.ToString();
        return null;
    }
}

/// <summary>Marks an endpoint that takes its token as <c>?access_token=</c> too: the SSE streams, for browsers' EventSource.</summary>
public sealed class AccessTokenQueryMetadata
{
    public const string Parameter = "access_token";
}

public static class AccessTokenQueryExtensions
{
    /// <summary>Lets the endpoint take its token from <c>?access_token=</c>.</summary>
    public static TBuilder AllowAccessTokenQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessTokenQueryMetadata());
}

public static class HttpContextSessionExtensions
{
    /// <summary>The client's address as throttling and the audit log key it: IPv4 clients of a dual-stack socket in IPv4 form.</summary>
    public static string ClientAddress(this HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    public static string UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public static string SessionToken(this HttpContext context) => (string)context.Items[BearerAuthenticationHandler.TokenItem]!;
}
