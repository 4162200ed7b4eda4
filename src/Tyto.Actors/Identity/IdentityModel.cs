using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Tyto.Actors.Identity;

/// <summary>A user as the API shows it: never with a password hash.</summary>
public sealed record UserProfile(
    string Id, string Username, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions,
    string AuthProvider, bool Disabled, DateTime CreatedAt, DateTime? LastLogin);

/// <summary>An authenticated request's user, resolved from a live session.</summary>
public sealed record SessionUser(string UserId, string Username, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

/// <summary>A new session: the token is shown once to the client and stored only as a hash.</summary>
public sealed record NewSession(string Token, DateTime ExpiresAt, UserProfile User);

/// <summary>A new account as an administrator or a self-registering user asks for it.</summary>
public sealed record NewUser(string? Username, string? Password, string? Email, IReadOnlyList<string>? Roles);

/// <summary>Changes to an account; null leaves a field as it is.</summary>
public sealed record UserChanges(string? Email, IReadOnlyList<string>? Roles, bool? Disabled);

/// <summary>A custom role as asked for; null leaves a field as it is when updating.</summary>
public sealed record RoleDefinition(string? Name, string? Description, IReadOnlyList<string>? Permissions);

public enum IdentityFailureKind
{
    Invalid,
    InvalidCredentials,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>Why an identity operation was refused: a stable code, a message, and the offending fields.</summary>
public sealed record IdentityFailure(IdentityFailureKind Kind, string Code, string Message, IReadOnlyDictionary<string, object>? Details = null)
{
    public static IdentityFailure Field(string field, string problem) =>
        new(IdentityFailureKind.Invalid, "VALIDATION_FAILED", $"{field} {problem}", new Dictionary<string, object> { [field] = problem });

    public static IdentityFailure NotFound(string what, string id) =>
        new(IdentityFailureKind.NotFound, $"{what.ToUpperInvariant()}_NOT_FOUND", $"No {what} '{id}'");
}

/// <summary>The rules accounts and roles must follow.</summary>
public static partial class IdentityRules
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 1024;
    public const int MaxRoleNameLength = 100;
    public const int MaxDescriptionLength = 500;
    public const int MaxRoleIdLength = 64;

    public static IdentityFailure? Username(string? username) => username switch
    {
        null or "" => IdentityFailure.Field("username", "is required"),
        { Length: < 3 or > 64 } => IdentityFailure.Field("username", "must be 3 to 64 characters"),
        _ when !UsernamePattern().IsMatch(username) => IdentityFailure.Field("username", "may contain only letters, digits, '.', '_' and '-'"),
        _ => null,
    };

    public static IdentityFailure? Password(string username, string? password, string field = "password") => password switch
    {
        null or { Length: < MinPasswordLength } => IdentityFailure.Field(field, $"must be at least {MinPasswordLength} characters"),
        { Length: > MaxPasswordLength } => IdentityFailure.Field(field, $"must be at most {MaxPasswordLength} characters"),
        _ when string.Equals(password, username, StringComparison.OrdinalIgnoreCase) => IdentityFailure.Field(field, "must not be the username"),
        _ => null,
    };

    public static IdentityFailure? Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
            return null;
        var valid = email.Length <= 254 && MailAddress.TryCreate(email, out var address) && address.Address == email &&
                    address.Host.Contains('.', StringComparison.Ordinal);
        return valid ? null : IdentityFailure.Field("email", "is not a valid e-mail address");
    }

    public static IdentityFailure? Permissions(IReadOnlyList<string>? permissions)
    {
        if (permissions is null)
            return IdentityFailure.Field("permissions", "is required");
        var unknown = permissions.Where(p => !Identity.Permissions.IsGrantable(p)).ToList();
        return unknown.Count == 0
            ? null
            : new IdentityFailure(IdentityFailureKind.Invalid, "UNKNOWN_PERMISSION", $"Unknown permissions: {string.Join(", ", unknown)}",
                new Dictionary<string, object> { ["permissions"] = unknown });
    }

    /// <summary>A role id from its name: lower-case letters and digits separated by single dashes.</summary>
    public static string Slug(string name)
    {
        var slug = SlugSeparators().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        return slug.Length <= MaxRoleIdLength ? slug : slug[..MaxRoleIdLength].TrimEnd('-');
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugSeparators();
}
