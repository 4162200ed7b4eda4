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

    /// <summary>A refusal naming a few of the offending items: never the whole of a list a client sent.</summary>
    public static IdentityFailure Listing(IdentityFailureKind kind, string code, string message, string field, IReadOnlyCollection<string> items) =>
        new(kind, code, $"{message}: {IdentityRules.Excerpt(items)}", new Dictionary<string, object> { [field] = IdentityRules.Shown(items) });
}

/// <summary>The rules accounts and roles must follow.</summary>
public static partial class IdentityRules
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 1024;
    public const int MaxUsernameLength = 64;
    public const int MaxEmailLength = 254;
    public const int MaxRoleNameLength = 100;
    public const int MaxDescriptionLength = 500;
    public const int MaxRoleIdLength = 64;
    public const int MaxRolesPerUser = 30;
    public const int MaxPermissionsPerRole = 100;

    /// <summary>How many offending items an error names, and how much of each.</summary>
    private const int ShownItems = 5;
    private const int ShownItemLength = 64;

    public static IdentityFailure? Username(string? username) => username switch
    {
        null or "" => IdentityFailure.Field("username", "is required"),
        { Length: < 3 or > MaxUsernameLength } => IdentityFailure.Field("username", $"must be 3 to {MaxUsernameLength} characters"),
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

    /// <summary>
    /// A plain address (no display name) of at most 254 characters, without control or bidirectional characters, whose
    /// domain has at least two labels of letters, digits and inner hyphens.
    /// </summary>
    public static IdentityFailure? Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
            return null;
        if (email.Length > MaxEmailLength)
            return IdentityFailure.Field("email", $"must be at most {MaxEmailLength} characters");
        var valid = IsPlainText(email) && MailAddress.TryCreate(email, out var address) && address.Address == email &&
                    address.Host.Split('.') is { Length: >= 2 } labels && labels.All(IsHostLabel);
        return valid ? null : IdentityFailure.Field("email", "is not a valid e-mail address");
    }

    /// <summary>A role's name: required, bounded, plain text, with a letter or digit, and not a system role's.</summary>
    public static IdentityFailure? RoleName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return IdentityFailure.Field("name", "is required");
        if (Text("name", name, MaxRoleNameLength) is { } invalid)
            return invalid;
        var slug = Slug(name);
        if (slug.Length == 0)
            return IdentityFailure.Field("name", "must contain a letter or a digit");
        return SystemRoles.All.Any(r => slug == r.Id || slug == Slug(r.Name))
            ? IdentityFailure.Field("name", "is reserved for a system role")
            : null;
    }

    /// <summary>Free text that is stored and shown: bounded, and without control or bidirectional-override characters.</summary>
    public static IdentityFailure? Text(string field, string? text, int maxLength) => text switch
    {
        null => null,
        { Length: var length } when length > maxLength => IdentityFailure.Field(field, $"must be at most {maxLength} characters"),
        _ when !IsPlainText(text) => IdentityFailure.Field(field, "must not contain control or bidirectional formatting characters"),
        _ => null,
    };

    /// <summary>
    /// A list a client sent: at most <paramref name="maxItems"/> items, none of them null (JSON may hold nulls whatever
    /// the declared type).
    /// </summary>
    public static IdentityFailure? List(string field, IReadOnlyList<string>? items, int maxItems) => items switch
    {
        null => null,
        { Count: var count } when count > maxItems => IdentityFailure.Field(field, $"must hold at most {maxItems} items"),
        _ when items.Any(i => i is null) => IdentityFailure.Field(field, "must not contain null"),
        _ => null,
    };

    public static IdentityFailure? Permissions(IReadOnlyList<string>? permissions)
    {
        if (permissions is null)
            return IdentityFailure.Field("permissions", "is required");
        if (List("permissions", permissions, MaxPermissionsPerRole) is { } invalid)
            return invalid;
        var unknown = permissions.Where(p => !Identity.Permissions.IsGrantable(p)).ToList();
        return unknown.Count == 0
            ? null
            : IdentityFailure.Listing(IdentityFailureKind.Invalid, "UNKNOWN_PERMISSION", "Unknown permissions", "permissions", unknown);
    }

    /// <summary>A role id from its name: lower-case letters and digits separated by single dashes.</summary>
    public static string Slug(string name)
    {
        var slug = SlugSeparators().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        return slug.Length <= MaxRoleIdLength ? slug : slug[..MaxRoleIdLength].TrimEnd('-');
    }

    /// <summary>The first few of <paramref name="items"/>, each cut short: what an error may echo of a client's list.</summary>
    public static IReadOnlyList<string> Shown(IEnumerable<string> items) =>
        items.Take(ShownItems).Select(i => i.Length <= ShownItemLength ? i : i[..ShownItemLength] + "…").ToList();

    /// <summary>The first few of <paramref name="items"/> for a message, with how many more there are.</summary>
    public static string Excerpt(IReadOnlyCollection<string> items)
    {
        var shown = string.Join(", ", Shown(items));
        return items.Count <= ShownItems ? shown : $"{shown} and {items.Count - ShownItems} more";
    }

    /// <summary>
    /// Text without C0 or C1 control characters, bidirectional marks, embeddings, overrides or isolates, and without
    /// unpaired surrogates: what is stored shows as what it is.
    /// </summary>
    private static bool IsPlainText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) || IsBidiControl(c) || char.IsLowSurrogate(c))
                return false;
            if (char.IsHighSurrogate(c) && !(++i < text.Length && char.IsLowSurrogate(text[i])))
                return false;
        }
        return true;
    }

    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static bool IsHostLabel(string label) =>
        label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => c == '-' || char.IsLetterOrDigit(c));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugSeparators();
}
