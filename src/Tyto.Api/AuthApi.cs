using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Login, logout and the signed-in user's own profile and password.</summary>
public static class AuthApi
{
    public sealed record LoginRequest(string? Username, string? Password);

    public sealed record LoginUser(string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

    public sealed record LoginResponse(string Token, LoginUser User, DateTime ExpiresAt);

    public sealed record MeResponse(
        string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions, string AuthProvider, DateTime? LastLogin);

    public sealed record UpdateMeRequest(string? Email);

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth");
        auth.MapPost("/login", Login).AllowAnonymous();
        auth.MapPost("/logout", Logout).RequireAuthorization();
        auth.MapGet("/me", GetMe).RequireAuthorization();
        auth.MapPut("/me", UpdateMe).RequireAuthorization();
        auth.MapPut("/me/password", ChangePassword).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> Login(LoginRequest request, IdentityStore identity, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username))
            return ApiErrors.Validation("username", "is required");
        if (string.IsNullOrEmpty(request.Password))
            return ApiErrors.Validation("password", "is required");
        var (session, _) = await identity.LoginAsync(request.Username, request.Password, options.Value.Auth.SessionLifetime, cancellationToken);
        if (session is null)
            return ApiErrors.Error(StatusCodes.Status401Unauthorized, "INVALID_CREDENTIALS", "Invalid username or password");
        var user = session.User;
        return TypedResults.Ok(new LoginResponse(session.Token, new LoginUser(user.Id, user.Username, user.Email, user.Roles, user.Permissions), session.ExpiresAt));
    }

    private static async Task<IResult> Logout(HttpContext context, IdentityStore identity)
    {
        await identity.LogoutAsync(context.SessionToken(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> GetMe(ClaimsPrincipal user, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.GetProfileAsync(user.UserId(), cancellationToken) is { } profile
            ? TypedResults.Ok(ToMe(profile))
            : ApiErrors.NotFound("USER_NOT_FOUND", "User not found");

    private static async Task<IResult> UpdateMe(UpdateMeRequest request, ClaimsPrincipal user, IdentityStore identity, CancellationToken cancellationToken)
    {
        var (profile, failure) = await identity.UpdateEmailAsync(user.UserId(), request.Email, cancellationToken);
        return failure is null ? TypedResults.Ok(ToMe(profile!)) : Failure(failure);
    }

    private static async Task<IResult> ChangePassword(ChangePasswordRequest request, HttpContext context, IdentityStore identity)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword))
            return ApiErrors.Validation("current_password", "is required");
        if (string.IsNullOrEmpty(request.NewPassword))
            return ApiErrors.Validation("new_password", "is required");
        var failure = await identity.ChangePasswordAsync(context.User.UserId(), context.SessionToken(), request.CurrentPassword, request.NewPassword, context.RequestAborted);
        return failure is null ? TypedResults.NoContent() : Failure(failure);
    }

    private static MeResponse ToMe(UserProfile p) => new(p.Id, p.Username, p.Email, p.Roles, p.Permissions, p.AuthProvider, p.LastLogin);

    internal static IResult Failure(IdentityFailure failure) => failure.Kind switch
    {
        IdentityFailureKind.NotFound => ApiErrors.NotFound("USER_NOT_FOUND", failure.Message),
        IdentityFailureKind.InvalidCredentials => ApiErrors.Error(StatusCodes.Status401Unauthorized, "INVALID_CREDENTIALS", failure.Message),
        _ => ApiErrors.BadRequest("VALIDATION_FAILED", failure.Message, failure.Fields),
    };
}
