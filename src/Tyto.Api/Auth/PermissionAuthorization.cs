using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Tyto.Actors.Identity;

namespace Tyto.Api.Auth;

/// <summary>
/// Endpoint metadata declaring who may call an endpoint: the one permission it requires, or, for a user's own
/// session and profile, any signed-in user (<see cref="Permission"/> null).
/// </summary>
public sealed record PermissionMetadata(string? Permission);

/// <summary>Satisfied when one of the user's granted permissions (wildcards included) covers <see cref="Permission"/>.</summary>
public sealed class PermissionRequirement(string permission) : AuthorizationHandler<PermissionRequirement>, IAuthorizationRequirement
{
    public string Permission { get; } = permission;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.User.HasPermission(requirement.Permission))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class PermissionEndpointExtensions
{
    /// <summary>Whether the signed-in user holds <paramref name="permission"/>, for a handler whose inputs widen what it reads.</summary>
    public static bool HasPermission(this ClaimsPrincipal user, string permission) =>
        Permissions.AnyGrants(user.FindAll(BearerAuthenticationHandler.PermissionClaim).Select(c => c.Value), permission);

    /// <summary>Requires an authenticated user holding <paramref name="permission"/>; recorded as endpoint metadata.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithMetadata(new PermissionMetadata(permission))
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));

    /// <summary>Open to every signed-in user whatever their roles: their own session and profile.</summary>
    public static TBuilder RequireSignedIn<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithMetadata(new PermissionMetadata(null))
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser());
}
