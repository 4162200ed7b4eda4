using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Roles and the catalogue of permissions they grant.</summary>
public static class RolesApi
{
    public sealed record RoleResponse(string Id, string Name, string Description, IReadOnlyList<string> Permissions, bool IsSystem);

    public sealed record RolesResponse(IReadOnlyList<RoleResponse> Roles);

    public sealed record RoleRequest(string? Name, string? Description, IReadOnlyList<string>? Permissions);

    public sealed record PermissionResponse(string Name, string Description);

    public sealed record PermissionsResponse(IReadOnlyList<PermissionResponse> Permissions);

    public static IEndpointRouteBuilder MapRolesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/permissions", ListPermissions).RequirePermission(Permissions.RolesRead).WithName("ListPermissions");
        var roles = app.MapGroup("/api/v1/roles");
        roles.MapGet("", List).RequirePermission(Permissions.RolesRead).WithName("ListRoles").Produces<RolesResponse>();
        roles.MapPost("", Create).RequirePermission(Permissions.RolesWrite).WithName("CreateRole").Produces<RoleResponse>(201).ProducesErrors(409);
        roles.MapPut("/{id}", Update).RequirePermission(Permissions.RolesWrite).WithName("UpdateRole").Produces<RoleResponse>().ProducesErrors(404, 409);
        roles.MapDelete("/{id}", Delete).RequirePermission(Permissions.RolesWrite).WithName("DeleteRole").Produces(204).ProducesErrors(404, 409);
        return app;
    }

    private static PermissionsResponse ListPermissions() =>
        new(Permissions.Catalogue.Select(p => new PermissionResponse(p.Key, p.Value)).ToList());

    private static async Task<IResult> List(IdentityStore identity, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RolesResponse((await identity.ListRolesAsync(cancellationToken)).Select(ToResponse).ToList()));

    private static async Task<IResult> Create(RoleRequest request, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken)
    {
        var (role, failure) = await identity.CreateRoleAsync(caller.UserId(), new RoleDefinition(request.Name, request.Description, request.Permissions), cancellationToken);
        return failure is null ? TypedResults.Created($"/api/v1/roles/{role!.Id}", ToResponse(role)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> Update(string id, RoleRequest request, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken)
    {
        var (role, failure) = await identity.UpdateRoleAsync(caller.UserId(), id, new RoleDefinition(request.Name, request.Description, request.Permissions), cancellationToken);
        return failure is null ? TypedResults.Ok(ToResponse(role!)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> Delete(string id, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.DeleteRoleAsync(caller.UserId(), id, cancellationToken) is { } failure ? ApiErrors.From(failure) : TypedResults.NoContent();

    private static RoleResponse ToResponse(RoleRecord r) => new(r.Id, r.Name, r.Description, r.PermissionList, r.IsSystem);
}
