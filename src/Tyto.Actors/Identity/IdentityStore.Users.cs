using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;

namespace Tyto.Actors.Identity;

public sealed partial class IdentityStore
{
    public async Task<IReadOnlyList<UserProfile>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var users = await db.GetTable<UserRecord>().OrderBy(u => u.UsernameKey).ToListAsync(cancellationToken);
        var roles = await db.GetTable<RoleRecord>().ToListAsync(cancellationToken);
        return users.Select(u => Profile(u, roles)).ToList();
    }

    public async Task<UserProfile?> GetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? null : await ProfileAsync(db, user, cancellationToken);
    }

    /// <summary>
    /// An administrator creates an account; without roles it gets <c>viewer</c>. Nobody assigns a role that grants more
    /// than they hold.
    /// </summary>
    public Task<(UserProfile? User, IdentityFailure? Failure)> CreateUserAsync(string actingUserId, NewUser request, CancellationToken cancellationToken = default) =>
        CreateAsync(actingUserId, request with { Roles = request.Roles ?? [SystemRoles.Viewer] }, cancellationToken);

    /// <summary>Somebody signs themself up, as a <c>viewer</c>.</summary>
    public Task<(UserProfile? User, IdentityFailure? Failure)> RegisterAsync(string? username, string? password, string? email, CancellationToken cancellationToken = default) =>
        CreateAsync(null, new NewUser(username, password, email, [SystemRoles.Viewer]), cancellationToken);

    /// <summary>
    /// Creates an account for <paramref name="actingUserId"/>, or for nobody when somebody registers. The password is
    /// hashed before the change waits for its turn: hashing is slow on purpose, and every account and role change waits
    /// for the one before.
    /// </summary>
    private async Task<(UserProfile? User, IdentityFailure? Failure)> CreateAsync(string? actingUserId, NewUser request, CancellationToken cancellationToken)
    {
        var roleIds = request.Roles!;
        if ((IdentityRules.Username(request.Username)
             ?? IdentityRules.Password(request.Username!, request.Password)
             ?? IdentityRules.Email(request.Email)
             ?? IdentityRules.List("roles", roleIds, IdentityRules.MaxRolesPerUser)) is { } invalid)
            return (null, invalid);
        var passwordHash = PasswordHasher.Hash(request.Password!);

        return await WriteAsync<(UserProfile?, IdentityFailure?)>(async db =>
        {
            var failure = await UnknownRolesAsync(db, roleIds, cancellationToken)
                          ?? (actingUserId is null
                              ? null
                              : CannotGrant(await HeldByAsync(db, actingUserId, cancellationToken), await PermissionsOfAsync(db, roleIds, cancellationToken)));
            if (failure is not null)
                return (null, failure);
            var key = request.Username!.ToLowerInvariant();
            if (await db.GetTable<UserRecord>().AnyAsync(u => u.UsernameKey == key, cancellationToken))
                return (null, new IdentityFailure(IdentityFailureKind.Conflict, "USERNAME_TAKEN", $"The username '{request.Username}' is taken",
                    new Dictionary<string, object> { ["username"] = "is taken" }));

            var user = new UserRecord
            {
                Id = Guid.NewGuid().ToString(),
                Username = request.Username!,
                UsernameKey = key,
                Email = string.IsNullOrEmpty(request.Email) ? null : request.Email,
                PasswordHash = passwordHash,
                Roles = string.Join(',', roleIds.Distinct(StringComparer.Ordinal)),
                CreatedAt = Now,
            };
            await db.InsertAsync(user, token: cancellationToken);
            return (await ProfileAsync(db, user, cancellationToken), null);
        }, cancellationToken);
    }

    /// <summary>
    /// Changes e-mail, roles or the disabled flag; disabling ends every session of the user at once. Nobody changes a user
    /// who holds more than they do, nor assigns a role that grants more than they hold (their own roles included).
    /// </summary>
    public async Task<(UserProfile? User, IdentityFailure? Failure)> UpdateUserAsync(string actingUserId, string userId, UserChanges changes, CancellationToken cancellationToken = default)
    {
        if ((IdentityRules.Email(changes.Email) ?? IdentityRules.List("roles", changes.Roles, IdentityRules.MaxRolesPerUser)) is { } invalid)
            return (null, invalid);

        return await WriteAsync<(UserProfile?, IdentityFailure?)>(async db =>
        {
            var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user is null)
                return (null, IdentityFailure.NotFound("user", userId));
            var held = await HeldByAsync(db, actingUserId, cancellationToken);
            var failure = (changes.Roles is null ? null : await UnknownRolesAsync(db, changes.Roles, cancellationToken))
                          ?? CannotManage("user", held, await PermissionsOfAsync(db, user.RoleIds, cancellationToken))
                          ?? (changes.Roles is null ? null : CannotGrant(held, await PermissionsOfAsync(db, changes.Roles, cancellationToken)))
                          ?? (changes.Disabled == true && userId == actingUserId ? CannotDisableSelf : null);
            if (failure is not null)
                return (null, failure);

            if (changes.Email is not null)
                user.Email = changes.Email.Length == 0 ? null : changes.Email;
            if (changes.Roles is not null)
                user.Roles = string.Join(',', changes.Roles.Distinct(StringComparer.Ordinal));
            if (changes.Disabled is { } disabled)
                user.Disabled = disabled;
            if (await LastAdministratorLostAsync(db, users => users.Select(u => u.Id == user.Id ? user : u), null, cancellationToken) is { } lost)
                return (null, lost);

            await db.UpdateAsync(user, token: cancellationToken);
            if (user.Disabled)
                await EndSessionsAsync(db, user.Id, cancellationToken);
            return (await ProfileAsync(db, user, cancellationToken), null);
        }, cancellationToken);
    }

    /// <summary>Soft-deletes: the account stays for the record but can no longer log in, and its sessions end now.</summary>
    public async Task<IdentityFailure?> DisableUserAsync(string actingUserId, string userId, CancellationToken cancellationToken = default) =>
        (await UpdateUserAsync(actingUserId, userId, new UserChanges(null, null, Disabled: true), cancellationToken)).Failure;

    /// <summary>
    /// An administrator's reset of a user who holds no more than they do: every session of the user ends. The new
    /// password is hashed before the change waits for its turn.
    /// </summary>
    public async Task<IdentityFailure?> ResetPasswordAsync(string actingUserId, string userId, string? newPassword, CancellationToken cancellationToken = default)
    {
        if (await GetUserAsync(userId, cancellationToken) is not { } target)
            return IdentityFailure.NotFound("user", userId);
        if (IdentityRules.Password(target.Username, newPassword, "new_password") is { } invalid)
            return invalid;
        var passwordHash = PasswordHasher.Hash(newPassword!);

        return await WriteAsync(async db =>
        {
            var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user is null)
                return IdentityFailure.NotFound("user", userId);
            if (CannotManage("user", await HeldByAsync(db, actingUserId, cancellationToken), await PermissionsOfAsync(db, user.RoleIds, cancellationToken)) is { } forbidden)
                return forbidden;
            await db.GetTable<UserRecord>().Where(u => u.Id == userId).Set(u => u.PasswordHash, passwordHash).UpdateAsync(cancellationToken);
            await EndSessionsAsync(db, userId, cancellationToken);
            return null;
        }, cancellationToken);
    }

    public Task<(UserProfile? Profile, IdentityFailure? Failure)> UpdateOwnEmailAsync(string userId, string? email, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(userId, userId, new UserChanges(email ?? "", null, null), cancellationToken);

    private static readonly IdentityFailure CannotDisableSelf =
        new(IdentityFailureKind.Conflict, "CANNOT_DISABLE_SELF", "You cannot disable your own account");

    private static Task<int> EndSessionsAsync(DataConnection db, string userId, CancellationToken cancellationToken) =>
        db.GetTable<SessionRecord>().DeleteAsync(s => s.UserId == userId, cancellationToken);

    private static async Task<IdentityFailure?> UnknownRolesAsync(DataConnection db, IReadOnlyList<string> roleIds, CancellationToken cancellationToken)
    {
        var known = await db.GetTable<RoleRecord>().Where(r => roleIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken);
        var unknown = roleIds.Except(known, StringComparer.Ordinal).ToList();
        return unknown.Count == 0 ? null : IdentityFailure.Listing(IdentityFailureKind.Invalid, "UNKNOWN_ROLE", "Unknown roles", "roles", unknown);
    }

    /// <summary>
    /// Refuses a change after which no enabled user would hold <c>*</c>: the server would have nobody left
    /// who can manage it.
    /// </summary>
    private static async Task<IdentityFailure?> LastAdministratorLostAsync(
        DataConnection db, Func<IEnumerable<UserRecord>, IEnumerable<UserRecord>> changeUsers, Func<IEnumerable<RoleRecord>, IEnumerable<RoleRecord>>? changeRoles, CancellationToken cancellationToken)
    {
        var users = await db.GetTable<UserRecord>().ToListAsync(cancellationToken);
        var roles = await db.GetTable<RoleRecord>().ToListAsync(cancellationToken);
        var before = Administrators(users, roles);
        var after = Administrators(changeUsers(users), changeRoles is null ? roles : changeRoles(roles));
        return before > 0 && after == 0
            ? new IdentityFailure(IdentityFailureKind.Conflict, "LAST_ADMINISTRATOR", "This would leave no enabled user holding every permission ('*')")
            : null;
    }

    private static int Administrators(IEnumerable<UserRecord> users, IEnumerable<RoleRecord> roles)
    {
        var superRoles = roles.Where(r => r.PermissionList.Contains(Permissions.All)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return users.Count(u => !u.Disabled && u.RoleIds.Any(superRoles.Contains));
    }

    private static UserProfile Profile(UserRecord user, IReadOnlyList<RoleRecord> roles) => new(
        user.Id, user.Username, user.Email, user.RoleIds, PermissionsOf(roles.Where(r => user.RoleIds.Contains(r.Id))), user.AuthProvider,
        user.Disabled, DateTime.SpecifyKind(user.CreatedAt, DateTimeKind.Utc), user.LastLogin is { } last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null);
}
