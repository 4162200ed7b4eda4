using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Login, logout, registration and the signed-in user's own profile and password.</summary>
public static class AuthApi
{
    public sealed record LoginRequest(string? Username, string? Password);

    public sealed record LoginUser(string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

    public sealed record LoginResponse(string Token, LoginUser User, DateTime ExpiresAt);

    public sealed record RegisterRequest(string? Username, string? Password, string? Email);

    public sealed record MeResponse(
        string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions, string AuthProvider, DateTime? LastLogin);

    /// <summary>The profile a user may change: a property left out stays as it is, <c>null</c> clears it.</summary>
    public sealed class UpdateMeRequest
    {
        private readonly string? email;

        public string? Email
        {
            get => email;
            init
            {
                email = value;
                HasEmail = true;
            }
        }

        [JsonIgnore]
        public bool HasEmail { get; private init; }
    }

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth");
        auth.MapPost("/login", Login).AllowAnonymous();
        auth.MapPost("/register", Register).AllowAnonymous();
        auth.MapPost("/logout", Logout).RequireSignedIn();
        auth.MapGet("/me", GetMe).RequireSignedIn();
        auth.MapPut("/me", UpdateMe).RequireSignedIn();
        auth.MapPut("/me/password", ChangePassword).RequireSignedIn();
        return app;
    }

    private static async Task<IResult> Login(LoginRequest request, HttpContext context, IdentityStore identity, LoginThrottle throttle, IOptions<TytoOptions> options)
    {
        if (string.IsNullOrEmpty(request.Username))
            return ApiErrors.Validation("username", "is required");
        if (string.IsNullOrEmpty(request.Password))
            return ApiErrors.Validation("password", "is required");
        context.Items[AuditMiddleware.ActorItem] = request.Username;

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.RetryAfter(request.Username, address) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return ApiErrors.Error(StatusCodes.Status429TooManyRequests, "TOO_MANY_ATTEMPTS", "Too many failed logins; try again later");
        }
        var (session, failure) = await identity.LoginAsync(request.Username, request.Password, options.Value.Auth.SessionLifetime, context.RequestAborted);
        if (session is null)
        {
            throttle.Failed(request.Username, address);
            return ApiErrors.From(failure!);
        }
        throttle.Succeeded(request.Username);
        var user = session.User;
        return TypedResults.Ok(new LoginResponse(session.Token, new LoginUser(user.Id, user.Username, user.Email, user.Roles, user.Permissions), session.ExpiresAt));
    }

    private static async Task<IResult> Register(RegisterRequest request, HttpContext context, IdentityStore identity, IOptions<TytoOptions> options)
    {
        if (!options.Value.Auth.AllowRegistration)
            return ApiErrors.Error(StatusCodes.Status403Forbidden, "REGISTRATION_DISABLED", "Registration is disabled on this server");
        context.Items[AuditMiddleware.ActorItem] = request.Username;
        var (user, failure) = await identity.CreateUserAsync(new NewUser(request.Username, request.Password, request.Email, [SystemRoles.Viewer]), context.RequestAborted);
        return failure is null ? TypedResults.Created($"/api/v1/users/{user!.Id}", UsersApi.ToResponse(user)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> Logout(HttpContext context, IdentityStore identity)
    {
        await identity.LogoutAsync(context.SessionToken(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> GetMe(ClaimsPrincipal user, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.GetUserAsync(user.UserId(), cancellationToken) is { } profile
            ? TypedResults.Ok(ToMe(profile))
            : ApiErrors.From(IdentityFailure.NotFound("user", user.UserId()));

    private static async Task<IResult> UpdateMe(UpdateMeRequest request, ClaimsPrincipal user, IdentityStore identity, CancellationToken cancellationToken)
    {
        if (!request.HasEmail)
            return await GetMe(user, identity, cancellationToken);
        var (profile, failure) = await identity.UpdateOwnEmailAsync(user.UserId(), request.Email, cancellationToken);
        return failure is null ? TypedResults.Ok(ToMe(profile!)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> ChangePassword(ChangePasswordRequest request, HttpContext context, IdentityStore identity)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword))
            return ApiErrors.Validation("current_password", "is required");
        if (string.IsNullOrEmpty(request.NewPassword))
            return ApiErrors.Validation("new_password", "is required");
        var failure = await identity.ChangeOwnPasswordAsync(context.User.UserId(), context.SessionToken(), request.CurrentPassword, request.NewPassword, context.RequestAborted);
        return failure is null ? TypedResults.NoContent() : ApiErrors.From(failure);
    }

    private static MeResponse ToMe(UserProfile p) => new(p.Id, p.Username, p.Email, p.Roles, p.Permissions, p.AuthProvider, p.LastLogin);
}
