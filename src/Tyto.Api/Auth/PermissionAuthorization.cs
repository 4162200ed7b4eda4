using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Tyto.Actors.Identity;

namespace Tyto.Api.Auth;

/// <summary>Endpoint metadata naming the one permission an endpoint requires.</summary>
public sealed record PermissionMetadata(string Permission);

/// <summary>Satisfied when one of the user's granted permissions (wildcards included) covers <see cref="Permission"/>.</summary>
public sealed class PermissionRequirement(string permission) : AuthorizationHandler<PermissionRequirement>, IAuthorizationRequirement
{
    public string Permission { get; } = permission;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var granted = context.User.FindAll(BearerAuthenticationHandler.PermissionClaim).Select(c => c.Value);
        if (Permissions.AnyGrants(granted, requirement.Permission))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class PermissionEndpointExtensions
{
    /// <summary>Requires an authenticated user holding <paramref name="permission"/>; recorded as endpoint metadata.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithMetadata(new PermissionMetadata(permission))
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
}
