using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using LinqToDB;
using LinqToDB.Async;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Identity;

/// <summary>A user as the API shows it: never with a password hash.</summary>
public sealed record UserProfile(
    string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions,
    string AuthProvider, bool Disabled, DateTime CreatedAt, DateTime? LastLogin);

/// <summary>An authenticated request's user, resolved from a live session.</summary>
public sealed record SessionUser(string UserId, string Username, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

/// <summary>A new session: the token is shown once to the client and stored only as a hash.</summary>
public sealed record NewSession(string Token, DateTime ExpiresAt, UserProfile User);

/// <summary>Why an identity operation was refused, with the offending fields.</summary>
public sealed record IdentityFailure(IdentityFailureKind Kind, string Message, IReadOnlyDictionary<string, string>? Fields = null);

public enum IdentityFailureKind
{
    Invalid,
    InvalidCredentials,
    NotFound,
}

/// <summary>Users, roles and sessions in the read-model tables of <see cref="TytoDatabase"/>.</summary>
public sealed class IdentityStore(TytoDatabase database)
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 1024;

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

        var generated = string.IsNullOrEmpty(adminPassword) ? GeneratePassword() : null;
        await db.InsertAsync(new UserRecord
        {
            Id = Guid.NewGuid().ToString(),
            Username = SystemRoles.Admin,
            UsernameKey = SystemRoles.Admin,
            PasswordHash = PasswordHasher.Hash(adminPassword ?? generated!),
            Roles = SystemRoles.Admin,
            CreatedAt = DateTime.UtcNow,
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

        var now = DateTime.UtcNow;
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
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
        var now = DateTime.UtcNow;
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

    public async Task<UserProfile?> GetProfileAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? null : await ProfileAsync(db, user, cancellationToken);
    }

    public async Task<(UserProfile? Profile, IdentityFailure? Failure)> UpdateEmailAsync(string userId, string? email, CancellationToken cancellationToken = default)
    {
        if (ValidateEmail(email) is { } invalid)
            return (null, invalid);
        await using var db = database.Open();
        var updated = await db.GetTable<UserRecord>().Where(u => u.Id == userId).Set(u => u.Email, string.IsNullOrEmpty(email) ? null : email).UpdateAsync(cancellationToken);
        return updated == 0 ? (null, new IdentityFailure(IdentityFailureKind.NotFound, "User not found")) : (await GetProfileAsync(userId, cancellationToken), null);
    }

    /// <summary>Changes a user's own password after checking the current one; every other session of the user ends.</summary>
    public async Task<IdentityFailure?> ChangePasswordAsync(string userId, string currentToken, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var user = await db.GetTable<UserRecord>().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return new IdentityFailure(IdentityFailureKind.NotFound, "User not found");
        if (!PasswordHasher.Verify(currentPassword, user.PasswordHash))
            return new IdentityFailure(IdentityFailureKind.Invalid, "The current password is wrong", new Dictionary<string, string> { ["current_password"] = "does not match" });
        if (ValidatePassword(user.Username, newPassword) is { } invalid)
            return invalid;

        var keep = HashToken(currentToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await db.GetTable<UserRecord>().Where(u => u.Id == userId).Set(u => u.PasswordHash, PasswordHasher.Hash(newPassword)).UpdateAsync(cancellationToken);
        await db.GetTable<SessionRecord>().DeleteAsync(s => s.UserId == userId && s.TokenHash != keep, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    public static IdentityFailure? ValidatePassword(string username, string? password)
    {
        string? problem = password switch
        {
            null or { Length: < MinPasswordLength } => $"must be at least {MinPasswordLength} characters",
            { Length: > MaxPasswordLength } => $"must be at most {MaxPasswordLength} characters",
            _ when string.Equals(password, username, StringComparison.OrdinalIgnoreCase) => "must not be the username",
            _ => null,
        };
        return problem is null ? null : new IdentityFailure(IdentityFailureKind.Invalid, $"The password {problem}", new Dictionary<string, string> { ["new_password"] = problem });
    }

    public static IdentityFailure? ValidateEmail(string? email)
    {
        if (string.IsNullOrEmpty(email))
            return null;
        var valid = email.Length <= 254 && MailAddress.TryCreate(email, out var address) && address.Address == email && address.Host.Contains('.', StringComparison.Ordinal);
        return valid ? null : new IdentityFailure(IdentityFailureKind.Invalid, "The e-mail address is not valid", new Dictionary<string, string> { ["email"] = "is not a valid e-mail address" });
    }

    private static readonly IdentityFailure InvalidCredentials = new(IdentityFailureKind.InvalidCredentials, "Invalid username or password");

    private static async Task<UserProfile> ProfileAsync(LinqToDB.Data.DataConnection db, UserRecord user, CancellationToken cancellationToken) => new(
        user.Id, user.Username, user.Email, user.RoleIds, await PermissionsOfAsync(db, user.RoleIds, cancellationToken),
        user.AuthProvider, user.Disabled, DateTime.SpecifyKind(user.CreatedAt, DateTimeKind.Utc),
        user.LastLogin is { } last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null);

    private static async Task<IReadOnlyList<string>> PermissionsOfAsync(LinqToDB.Data.DataConnection db, IReadOnlyList<string> roleIds, CancellationToken cancellationToken)
    {
        var roles = await db.GetTable<RoleRecord>().Where(r => roleIds.Contains(r.Id)).ToListAsync(cancellationToken);
        return roles.SelectMany(r => r.PermissionList).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
