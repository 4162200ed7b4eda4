using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Login, logout, registration and the signed-in user's own profile and password.</summary>
public static class AuthApi
{
    public const long MaxRequestBodySize = 16 * 1024;

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
        // Usernames, passwords and e-mails are short: a few KiB are plenty, more is an attack.
        var auth = app.MapGroup("/api/v1/auth").WithMetadata(new RequestSizeLimitAttribute(MaxRequestBodySize));
        auth.MapPost("/login", Login).AllowAnonymous().WithName("Login").Produces<LoginResponse>().ProducesErrors(401, 429);
        auth.MapPost("/register", Register).AllowAnonymous().WithName("Register").Produces<UsersApi.UserResponse>(201).ProducesErrors(403, 409, 429);
        auth.MapPost("/logout", Logout).RequireSignedIn().WithName("Logout").Produces(204);
        auth.MapGet("/me", GetMe).RequireSignedIn().WithName("GetMe").Produces<MeResponse>();
        auth.MapPut("/me", UpdateMe).RequireSignedIn().WithName("UpdateMe").Produces<MeResponse>();
        auth.MapPut("/me/password", ChangePassword).RequireSignedIn().WithName("ChangePassword").Produces(204);
        return app;
    }

    private static async Task<IResult> Login(
        LoginRequest request, HttpContext context, IdentityStore identity, LoginThrottle throttle, TimeProvider clock, IOptions<TytoOptions> options)
    {
        if (string.IsNullOrEmpty(request.Username))
            return ApiErrors.Validation("username", "is required");
        if (string.IsNullOrEmpty(request.Password))
            return ApiErrors.Validation("password", "is required");
        context.Items[AuditMiddleware.ActorItem] = request.Username;

        var (attempt, refused) = await BeginAttemptAsync(context, throttle, clock, request.Username);
        if (attempt is null)
            return refused!;
        var (session, failure) = await identity.LoginAsync(request.Username, request.Password, options.Value.Auth.SessionLifetime, context.RequestAborted);
        if (session is null)
            return ApiErrors.From(failure!);
        await attempt.SucceededAsync();
        var user = session.User;
        return TypedResults.Ok(new LoginResponse(session.Token, new LoginUser(user.Id, user.Username, user.Email, user.Roles, user.Permissions), session.ExpiresAt));
    }

    /// <summary>Every registration, taken or not, counts against the client's address like a failed login.</summary>
    private static async Task<IResult> Register(
        RegisterRequest request, HttpContext context, IdentityStore identity, LoginThrottle throttle, TimeProvider clock, IOptions<TytoOptions> options)
    {
        if (!options.Value.Auth.AllowRegistration)
            return ApiErrors.Error(StatusCodes.Status403Forbidden, "REGISTRATION_DISABLED", "Registration is disabled on this server");
        context.Items[AuditMiddleware.ActorItem] = request.Username;
        var (attempt, refused) = await BeginAttemptAsync(context, throttle, clock, request.Username ?? "");
        if (attempt is null)
            return refused!;
        var (user, failure) = await identity.RegisterAsync(request.Username, request.Password, request.Email, context.RequestAborted);
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

    private static async Task<IResult> ChangePassword(ChangePasswordRequest request, HttpContext context, IdentityStore identity, LoginThrottle throttle, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword))
            return ApiErrors.Validation("current_password", "is required");
        if (string.IsNullOrEmpty(request.NewPassword))
            return ApiErrors.Validation("new_password", "is required");
        var (attempt, refused) = await BeginAttemptAsync(context, throttle, clock, context.User.FindFirstValue(ClaimTypes.Name)!);
        if (attempt is null)
            return refused!;
        var failure = await identity.ChangeOwnPasswordAsync(context.User.UserId(), context.SessionToken(), request.CurrentPassword, request.NewPassword, context.RequestAborted);
        if (failure is null)
            await attempt.SucceededAsync();
        else if (failure != IdentityStore.WrongPassword)
            await attempt.UncheckedAsync();
        return failure is null ? TypedResults.NoContent() : ApiErrors.From(failure);
    }

    /// <summary>
    /// Counts an attempt for <paramref name="username"/> from the client's address before it is checked: the attempt, once its
    /// slow-down has passed, or the 429 to answer when the throttle refuses it.
    /// </summary>
    private static async Task<(LoginThrottle.Attempt? Attempt, IResult? Refused)> BeginAttemptAsync(
        HttpContext context, LoginThrottle throttle, TimeProvider clock, string username)
    {
        var attempt = await throttle.BeginAsync(username, context.ClientAddress(), context.RequestAborted);
        if (attempt.RetryAfter is { } wait)
            return (null, TooManyAttempts(context, wait));
        await Task.Delay(attempt.SlowDown, clock, context.RequestAborted);
        return (attempt, null);
    }

    private static IResult TooManyAttempts(HttpContext context, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiErrors.Error(StatusCodes.Status429TooManyRequests, "TOO_MANY_ATTEMPTS", $"Too many failed attempts; try again in {seconds} s",
            new Dictionary<string, object> { ["retry_after"] = seconds });
    }

    private static MeResponse ToMe(UserProfile p) => new(p.Id, p.Username, p.Email, p.Roles, p.Permissions, p.AuthProvider, p.LastLogin);
}
