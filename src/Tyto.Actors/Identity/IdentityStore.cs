using System.Security.Cryptography;
using System.Text;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Identity;

/// <summary>
/// Users, roles and sessions in the read-model tables of <see cref="TytoDatabase"/>. Changes to accounts and
/// roles are serialized, on this node and across nodes sharing the database, so the guard that keeps one enabled
/// administrator cannot be raced, and nobody grants or changes more than they hold: who holds <c>users:write</c>
/// or <c>roles:write</c> is not thereby an administrator.
/// </summary>
public sealed partial class IdentityStore(TytoDatabase database, TimeProvider clock) : IDisposable
{
    private static readonly IdentityFailure InvalidCredentials =
        new(IdentityFailureKind.InvalidCredentials, "INVALID_CREDENTIALS", "Invalid username or password");

    /// <summary>The answer when the current password given to change it is wrong: the one failure login throttling counts there.</summary>
    public static readonly IdentityFailure WrongPassword = new(IdentityFailureKind.Invalid, "WRONG_PASSWORD", "The current password is wrong",
        new Dictionary<string, object> { ["current_password"] = "does not match" });

    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>
    /// Takes the row of <see cref="IdentityWriteRecord"/>, creating it on the first change. The write locks it until
    /// the transaction ends, on PostgreSQL as on SQLite, so a change on another node waits here and then reads what
    /// this one committed: under read-committed, checking first and writing later would let two nodes both pass.
    /// </summary>
    private const string TakeWriteLock =
        "INSERT INTO identity_writes (id, changes) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET changes = identity_writes.changes + 1";

    /// <summary>Now, to the millisecond: what the database keeps, so a fresh answer equals a later read.</summary>
    private DateTime Now => clock.GetUtcNow().UtcDateTime.TruncateToMillisecond();

    /// <summary>
    /// Creates the system roles and, on the very first start, the <c>admin</c> user. Returns the generated
    /// admin password when none was configured, so the caller can show it once.
    /// </summary>
    public async Task<string?> SeedAsync(string? adminPassword, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        foreach (var role in SystemRoles.All)
            await db.InsertOrReplaceAsync(role, token: cancellationToken);
        if (await db.GetTable<UserRecord>().AnyAsync(cancellationToken))
            return null;

        var generated = string.IsNullOrEmpty(adminPassword) ? RandomToken(18) : null;
        await db.InsertAsync(new UserRecord
        {
            Id = Guid.NewGuid().ToString(),
            Username = SystemRoles.Admin,
            UsernameKey = SystemRoles.Admin,
            PasswordHash = PasswordHasher.Hash(adminPassword ?? generated!),
            Roles = SystemRoles.Admin,
            CreatedAt = Now,
        }, token: cancellationToken);
        return generated;
    }

    public async Task<(NewSession? Session, IdentityFailure? Failure)> LoginAsync(string username, string password, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var key = username.ToLowerInvariant();
        var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.UsernameKey == key, cancellationToken);
        if (user is null || user.Disabled)
        {
            PasswordHasher.VerifyDecoy(password);
            return (null, InvalidCredentials);
        }
        if (!PasswordHasher.Verify(password, user.PasswordHash))
            return (null, InvalidCredentials);

        var now = Now;
        var token = RandomToken(32);
        var session = new SessionRecord { TokenHash = HashToken(token), UserId = user.Id, CreatedAt = now, ExpiresAt = now + lifetime };
        await db.InsertAsync(session, token: cancellationToken);
        user.LastLogin = now;
        await db.GetTable<UserRecord>().Where(u => u.Id == user.Id).Set(u => u.LastLogin, now).UpdateAsync(cancellationToken);
        return (new NewSession(token, session.ExpiresAt, await ProfileAsync(db, user, cancellationToken)), null);
    }

    /// <summary>The user of a live session, or null for an unknown, expired or revoked token or a disabled user.</summary>
    public async Task<SessionUser?> AuthenticateAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var hash = HashToken(token);
        var now = Now;
        var user = await (
            from s in db.GetTable<SessionRecord>()
            join u in db.GetTable<UserRecord>() on s.UserId equals u.Id
            where s.TokenHash == hash && s.ExpiresAt > now && !u.Disabled
            select u).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
            return null;
        return new SessionUser(user.Id, user.Username, user.RoleIds, await PermissionsOfAsync(db, user.RoleIds, cancellationToken));
    }

    public async Task LogoutAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var hash = HashToken(token);
        await db.GetTable<SessionRecord>().DeleteAsync(s => s.TokenHash == hash, cancellationToken);
    }

    /// <summary>Deletes expired sessions, at most <paramref name="batch"/> rows a statement.</summary>
    public async Task<int> DeleteExpiredSessionsAsync(int batch, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var sessions = db.GetTable<SessionRecord>();
        var now = Now;
        var deleted = 0;
        int removed;
        do
        {
            var expired = sessions.Where(s => s.ExpiresAt <= now).Select(s => s.TokenHash).Take(batch);
            removed = await sessions.Where(s => expired.Contains(s.TokenHash)).DeleteAsync(cancellationToken);
            deleted += removed;
        }
        while (removed == batch);
        return deleted;
    }

    /// <summary>Changes a user's own password after checking the current one; every other session of the user ends.</summary>
    public async Task<IdentityFailure?> ChangeOwnPasswordAsync(string userId, string currentToken, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return IdentityFailure.NotFound("user", userId);
        if (!PasswordHasher.Verify(currentPassword, user.PasswordHash))
            return WrongPassword;
        if (IdentityRules.Password(user.Username, newPassword, "new_password") is { } invalid)
            return invalid;

        var keep = HashToken(currentToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await db.GetTable<UserRecord>().Where(u => u.Id == userId).Set(u => u.PasswordHash, PasswordHasher.Hash(newPassword)).UpdateAsync(cancellationToken);
        await db.GetTable<SessionRecord>().DeleteAsync(s => s.UserId == userId && s.TokenHash != keep, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    private static async Task<UserProfile> ProfileAsync(DataConnection db, UserRecord user, CancellationToken cancellationToken)
    {
        var roleIds = user.RoleIds;
        return Profile(user, await db.GetTable<RoleRecord>().Where(r => roleIds.Contains(r.Id)).ToListAsync(cancellationToken));
    }

    private static async Task<IReadOnlyList<string>> PermissionsOfAsync(DataConnection db, IReadOnlyList<string> roleIds, CancellationToken cancellationToken) =>
        PermissionsOf(await db.GetTable<RoleRecord>().Where(r => roleIds.Contains(r.Id)).ToListAsync(cancellationToken));

    /// <summary>What the acting user holds now, read in the change's transaction: nothing once disabled or gone.</summary>
    private static async Task<IReadOnlyList<string>> HeldByAsync(DataConnection db, string userId, CancellationToken cancellationToken) =>
        await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId && !u.Disabled, cancellationToken) is { } user
            ? await PermissionsOfAsync(db, user.RoleIds, cancellationToken)
            : [];

    /// <summary>Refuses to grant, through a role or a role's permissions, what the acting user does not hold.</summary>
    private static IdentityFailure? CannotGrant(IReadOnlyList<string> held, IEnumerable<string> granted) =>
        Permissions.NotCovered(held, granted) is { Count: > 0 } missing
            ? IdentityFailure.Listing(IdentityFailureKind.Forbidden, "CANNOT_GRANT", "You cannot grant permissions you do not hold", "permissions", missing)
            : null;

    /// <summary>Refuses to change a user or role that holds what the acting user does not.</summary>
    private static IdentityFailure? CannotManage(string what, IReadOnlyList<string> held, IEnumerable<string> theirs) =>
        Permissions.NotCovered(held, theirs) is { Count: > 0 } missing
            ? IdentityFailure.Listing(IdentityFailureKind.Forbidden, "CANNOT_MANAGE", $"This {what} holds permissions you do not", "permissions", missing)
            : null;

    private static List<string> PermissionsOf(IEnumerable<RoleRecord> roles) =>
        roles.SelectMany(r => r.PermissionList).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string RandomToken(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static void CreateTables(DataConnection db) => db.CreateTable<IdentityWriteRecord>(tableOptions: TableOptions.CreateIfNotExists);

    /// <summary>Runs an account or role change alone, in one transaction, after any other node's change that began before.</summary>
    private async Task<T> WriteAsync<T>(Func<DataConnection, Task<T>> change, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await using var db = database.Open();
            await using var transaction = await db.BeginTransactionAsync(cancellationToken);
            await db.ExecuteAsync(TakeWriteLock, cancellationToken);
            var result = await change(db);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writes.Release();
        }
    }

    public void Dispose() => _writes.Dispose();
}
