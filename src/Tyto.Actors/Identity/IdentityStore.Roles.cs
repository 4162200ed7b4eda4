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

    /// <summary>Creates a custom role whose id is the slug of its name.</summary>
    public Task<(RoleRecord? Role, IdentityFailure? Failure)> CreateRoleAsync(RoleDefinition definition, CancellationToken cancellationToken = default) =>
        WriteAsync<(RoleRecord?, IdentityFailure?)>(async db =>
        {
            if (ValidateRole(definition, creating: true) is { } invalid)
                return (null, invalid);
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

    public Task<(RoleRecord? Role, IdentityFailure? Failure)> UpdateRoleAsync(string roleId, RoleDefinition definition, CancellationToken cancellationToken = default) =>
        WriteAsync<(RoleRecord?, IdentityFailure?)>(async db =>
        {
            var role = await db.GetTable<RoleRecord>().FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken);
            if (role is null)
                return (null, IdentityFailure.NotFound("role", roleId));
            if (role.IsSystem)
                return (null, SystemRoleImmutable(roleId));
            if (ValidateRole(definition, creating: false) is { } invalid)
                return (null, invalid);

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

    /// <summary>Deletes a custom role that no user holds any more.</summary>
    public Task<IdentityFailure?> DeleteRoleAsync(string roleId, CancellationToken cancellationToken = default) =>
        WriteAsync(async db =>
        {
            var role = await db.GetTable<RoleRecord>().FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken);
            if (role is null)
                return IdentityFailure.NotFound("role", roleId);
            if (role.IsSystem)
                return SystemRoleImmutable(roleId);
            var holders = (await db.GetTable<UserRecord>().ToListAsync(cancellationToken))
                .Where(u => u.RoleIds.Contains(roleId)).Select(u => u.Username).Order(StringComparer.Ordinal).ToList();
            if (holders.Count > 0)
                return new IdentityFailure(IdentityFailureKind.Conflict, "ROLE_IN_USE", $"Role '{roleId}' is assigned to {holders.Count} user(s)",
                    new Dictionary<string, object> { ["users"] = holders });
            await db.GetTable<RoleRecord>().DeleteAsync(r => r.Id == roleId, cancellationToken);
            return null;
        }, cancellationToken);

    private static IdentityFailure? ValidateRole(RoleDefinition definition, bool creating)
    {
        if (creating || definition.Name is not null)
        {
            if (string.IsNullOrWhiteSpace(definition.Name))
                return IdentityFailure.Field("name", "is required");
            if (definition.Name.Length > IdentityRules.MaxRoleNameLength)
                return IdentityFailure.Field("name", $"must be at most {IdentityRules.MaxRoleNameLength} characters");
            if (IdentityRules.Slug(definition.Name).Length == 0)
                return IdentityFailure.Field("name", "must contain a letter or a digit");
        }
        if (definition.Description is { Length: > IdentityRules.MaxDescriptionLength })
            return IdentityFailure.Field("description", $"must be at most {IdentityRules.MaxDescriptionLength} characters");
        return creating || definition.Permissions is not null ? IdentityRules.Permissions(definition.Permissions) : null;
    }

    private static IdentityFailure SystemRoleImmutable(string roleId) =>
        new(IdentityFailureKind.Conflict, "SYSTEM_ROLE", $"'{roleId}' is a system role and cannot be changed or deleted");
}
