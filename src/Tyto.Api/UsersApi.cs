using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Account administration.</summary>
public static class UsersApi
{
    public sealed record UserResponse(
        string Id, string Username, string? Email, IReadOnlyList<string> Roles, string AuthProvider, bool Disabled, DateTime CreatedAt, DateTime? LastLogin);

    public sealed record UsersResponse(IReadOnlyList<UserResponse> Users);

    public sealed record CreateUserRequest(string? Username, string? Password, string? Email, IReadOnlyList<string>? Roles);

    public sealed record UpdateUserRequest(string? Email, IReadOnlyList<string>? Roles, bool? Disabled);

    public sealed record ResetPasswordRequest(string? NewPassword);

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users");
        users.MapGet("", List).RequirePermission(Permissions.UsersRead).WithName("ListUsers").Produces<UsersResponse>();
        users.MapPost("", Create).RequirePermission(Permissions.UsersWrite).WithName("CreateUser").Produces<UserResponse>(201).ProducesErrors(409);
        users.MapGet("/{id}", Get).RequirePermission(Permissions.UsersRead).WithName("GetUser").Produces<UserResponse>().ProducesErrors(404);
        users.MapPut("/{id}", Update).RequirePermission(Permissions.UsersWrite).WithName("UpdateUser").Produces<UserResponse>().ProducesErrors(404, 409);
        users.MapDelete("/{id}", Disable).RequirePermission(Permissions.UsersWrite).WithName("DisableUser").Produces(204).ProducesErrors(404, 409);
        users.MapPut("/{id}/password", ResetPassword).RequirePermission(Permissions.UsersWrite).WithName("ResetPassword").Produces(204).ProducesErrors(404);
        return app;
    }

    public static UserResponse ToResponse(UserProfile u) => new(u.Id, u.Username, u.Email, u.Roles, u.AuthProvider, u.Disabled, u.CreatedAt, u.LastLogin);

    private static async Task<IResult> List(IdentityStore identity, CancellationToken cancellationToken) =>
        TypedResults.Ok(new UsersResponse((await identity.ListUsersAsync(cancellationToken)).Select(ToResponse).ToList()));

    private static async Task<IResult> Get(string id, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.GetUserAsync(id, cancellationToken) is { } user
            ? TypedResults.Ok(ToResponse(user))
            : ApiErrors.From(IdentityFailure.NotFound("user", id));

    private static async Task<IResult> Create(CreateUserRequest request, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken)
    {
        var (user, failure) = await identity.CreateUserAsync(caller.UserId(), new NewUser(request.Username, request.Password, request.Email, request.Roles), cancellationToken);
        return failure is null ? TypedResults.Created($"/api/v1/users/{user!.Id}", ToResponse(user)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> Update(string id, UpdateUserRequest request, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken)
    {
        var (user, failure) = await identity.UpdateUserAsync(caller.UserId(), id, new UserChanges(request.Email, request.Roles, request.Disabled), cancellationToken);
        return failure is null ? TypedResults.Ok(ToResponse(user!)) : ApiErrors.From(failure);
    }

    private static async Task<IResult> Disable(string id, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.DisableUserAsync(caller.UserId(), id, cancellationToken) is { } failure ? ApiErrors.From(failure) : TypedResults.NoContent();

    private static async Task<IResult> ResetPassword(string id, ResetPasswordRequest request, ClaimsPrincipal caller, IdentityStore identity, CancellationToken cancellationToken) =>
        await identity.ResetPasswordAsync(caller.UserId(), id, request.NewPassword, cancellationToken) is { } failure ? ApiErrors.From(failure) : TypedResults.NoContent();
}
