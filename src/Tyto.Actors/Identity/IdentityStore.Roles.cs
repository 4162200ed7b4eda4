using LinqToDB;
using LinqToDB.Async;

namespace Tyto.Actors.Identity;

public sealed partial class IdentityStore
{
    public async Task<IReadOnlyList<RoleRecord>> ListRolesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        return await db.GetTable<RoleRecord>().OrderByDescending(r => r.IsSystem).ThenBy(r => r.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Creates a custom role whose id is the slug of its name, granting no more than the acting user holds.</summary>
    public async Task<(RoleRecord? Role, IdentityFailure? Failure)> CreateRoleAsync(string actingUserId, RoleDefinition definition, CancellationToken cancellationToken = default)
    {
        if (ValidateRole(definition, creating: true) is { } invalid)
            return (null, invalid);

        return await WriteAsync<(RoleRecord?, IdentityFailure?)>(async db =>
        {
            if (CannotGrant(await HeldByAsync(db, actingUserId, cancellationToken), definition.Permissions!) is { } forbidden)
                return (null, forbidden);
            var id = IdentityRules.Slug(definition.Name!);
            if (await db.GetTable<RoleRecord>().AnyAsync(r => r.Id == id, cancellationToken))
                return (null, new IdentityFailure(IdentityFailureKind.Conflict, "ROLE_EXISTS", $"A role with id '{id}' exists",
                    new Dictionary<string, object> { ["name"] = "is taken" }));
            var role = new RoleRecord
            {
                Id = id,
                Name = definition.Name!.Trim(),
                Description = definition.Description ?? "",
                Permissions = string.Join(',', definition.Permissions!.Distinct(StringComparer.Ordinal)),
            };
            await db.InsertAsync(role, token: cancellationToken);
            return (role, null);
        }, cancellationToken);
    }

    /// <summary>
    /// Changes a custom role that grants no more than the acting user holds, to grant no more than that: nobody raises
    /// a role, their own included.
    /// </summary>
    public async Task<(RoleRecord? Role, IdentityFailure? Failure)> UpdateRoleAsync(string actingUserId, string roleId, RoleDefinition definition, CancellationToken cancellationToken = default)
    {
        if (ValidateRole(definition, creating: false) is { } invalid)
            return (null, invalid);

        return await WriteAsync<(RoleRecord?, IdentityFailure?)>(async db =>
        {
            var role = await db.GetTable<RoleRecord>().FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken);
            if (role is null)
                return (null, IdentityFailure.NotFound("role", roleId));
            if (role.IsSystem)
                return (null, SystemRoleImmutable(roleId));
            var held = await HeldByAsync(db, actingUserId, cancellationToken);
            if ((CannotManage("role", held, role.PermissionList) ?? CannotGrant(held, definition.Permissions ?? [])) is { } forbidden)
                return (null, forbidden);

            if (definition.Name is not null)
                role.Name = definition.Name.Trim();
            if (definition.Description is not null)
                role.Description = definition.Description;
            if (definition.Permissions is not null)
                role.Permissions = string.Join(',', definition.Permissions.Distinct(StringComparer.Ordinal));
            if (await LastAdministratorLostAsync(db, users => users, roles => roles.Select(r => r.Id == role.Id ? role : r), cancellationToken) is { } lost)
                return (null, lost);
            await db.UpdateAsync(role, token: cancellationToken);
            return (role, null);
        }, cancellationToken);
    }

    /// <summary>Deletes a custom role that no user holds any more and that grants no more than the acting user holds.</summary>
    public Task<IdentityFailure?> DeleteRoleAsync(string actingUserId, string roleId, CancellationToken cancellationToken = default) =>
        WriteAsync(async db =>
        {
            var role = await db.GetTable<RoleRecord>().FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken);
            if (role is null)
                return IdentityFailure.NotFound("role", roleId);
            if (role.IsSystem)
                return SystemRoleImmutable(roleId);
            if (CannotManage("role", await HeldByAsync(db, actingUserId, cancellationToken), role.PermissionList) is { } forbidden)
                return forbidden;
            var holders = (await db.GetTable<UserRecord>().ToListAsync(cancellationToken))
                .Where(u => u.RoleIds.Contains(roleId)).Select(u => u.Username).Order(StringComparer.Ordinal).ToList();
            if (holders.Count > 0)
                return new IdentityFailure(IdentityFailureKind.Conflict, "ROLE_IN_USE", $"Role '{roleId}' is assigned to {holders.Count} user(s)",
                    new Dictionary<string, object> { ["users"] = holders });
            await db.GetTable<RoleRecord>().DeleteAsync(r => r.Id == roleId, cancellationToken);
            return null;
        }, cancellationToken);

    private static IdentityFailure? ValidateRole(RoleDefinition definition, bool creating) =>
        (creating || definition.Name is not null ? IdentityRules.RoleName(definition.Name) : null)
        ?? IdentityRules.Text("description", definition.Description, IdentityRules.MaxDescriptionLength)
        ?? (creating || definition.Permissions is not null ? IdentityRules.Permissions(definition.Permissions) : null);

    private static IdentityFailure SystemRoleImmutable(string roleId) =>
        new(IdentityFailureKind.Conflict, "SYSTEM_ROLE", $"'{roleId}' is a system role and cannot be changed or deleted");
}
