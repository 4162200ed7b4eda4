using System.Globalization;
using LinqToDB;
using LinqToDB.Mapping;

namespace Tyto.Actors.Identity;

/// <summary>A row of the <c>users</c> table.</summary>
[Table("users")]
public sealed class UserRecord
{
    [PrimaryKey, Column("id", Length = 36)]
    public string Id { get; set; } = "";

    [Column("username", Length = 64), NotNull]
    public string Username { get; set; } = "";

    /// <summary>The username lower-cased: usernames are unique without regard to case.</summary>
    [Column("username_key", Length = 64), NotNull]
    public string UsernameKey { get; set; } = "";

    [Column("email", Length = 254), Nullable]
    public string? Email { get; set; }

    [Column("password_hash", Length = 200), NotNull]
    public string PasswordHash { get; set; } = "";

    /// <summary>Role ids, comma-separated.</summary>
    [Column("roles", Length = 2000), NotNull]
    public string Roles { get; set; } = "";

    [Column("auth_provider", Length = 32), NotNull]
    public string AuthProvider { get; set; } = "local";

    [Column("disabled"), NotNull]
    public bool Disabled { get; set; }

    [Column("created_at"), NotNull]
    public DateTime CreatedAt { get; set; }

    [Column("last_login"), Nullable]
    public DateTime? LastLogin { get; set; }

    public IReadOnlyList<string> RoleIds => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A row of the <c>roles</c> table.</summary>
[Table("roles")]
public sealed class RoleRecord
{
    [PrimaryKey, Column("id", Length = 64)]
    public string Id { get; set; } = "";

    [Column("name", Length = 100), NotNull]
    public string Name { get; set; } = "";

    [Column("description", Length = 500), NotNull]
    public string Description { get; set; } = "";

    /// <summary>Permissions, comma-separated.</summary>
    [Column("permissions", Length = 4000), NotNull]
    public string Permissions { get; set; } = "";

    [Column("is_system"), NotNull]
    public bool IsSystem { get; set; }

    public IReadOnlyList<string> PermissionList => Permissions.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A row of the <c>sessions</c> table: only the token's SHA-256 is stored, never the token.</summary>
[Table("sessions")]
public sealed class SessionRecord
{
    [PrimaryKey, Column("token_hash", Length = 64)]
    public string TokenHash { get; set; } = "";

    [Column("user_id", Length = 36), NotNull]
    public string UserId { get; set; } = "";

    [Column("created_at"), NotNull]
    public DateTime CreatedAt { get; set; }

    [Column("expires_at"), NotNull]
    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// The one row of <c>identity_writes</c>: every account or role change takes it first in its transaction, so changes
/// made on different nodes at once run one after the other and each checks the last-administrator guard against
/// what the one before committed.
/// </summary>
[Table("identity_writes")]
public sealed class IdentityWriteRecord
{
    [PrimaryKey, Column("id")]
    public int Id { get; set; }

    /// <summary>How many changes took the row: what each one writes to take it.</summary>
    [Column("changes"), NotNull]
    public long Changes { get; set; }
}

/// <summary>A row of <c>login_throttle</c>: the recent failed sign-ins of one key (a username at an address, an address, a username).</summary>
[Table("login_throttle")]
public sealed class LoginThrottleRecord
{
    [PrimaryKey, Column("throttle_key", Length = 200)]
    public string Key { get; set; } = "";

    /// <summary>The failures' times in UTC ticks, oldest first, comma-separated; empty only while a new key's row is taken.</summary>
    [Column("failures", DataType = DataType.Text), NotNull]
    public string Failures { get; set; } = "";

    /// <summary>The newest failure's time in UTC ticks: what expiry and the capacity go by.</summary>
    [Column("last_failure"), NotNull]
    public long LastFailure { get; set; }

    public List<DateTimeOffset> FailureTimes =>
        [.. Failures.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new DateTimeOffset(long.Parse(t, CultureInfo.InvariantCulture), TimeSpan.Zero))];
}
