using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Tyto.Actors.Agents;

/// <summary>
/// The agent id rule, and the one-time tokens and polling secrets of enrollment: only their hashes are ever stored, and
/// the agent endpoint hashes what an agent presents the same way.
/// </summary>
public static partial class EnrollmentSecrets
{
    public const int MaxIdLength = 64;

    /// <summary>The rule for every agent id, in words.</summary>
    public const string IdRule = "must be 1 to 64 letters, digits, '.', '_' or '-'";

    public static bool IsValidId(string? agentId) => agentId is { Length: > 0 and <= MaxIdLength } && IdPattern().IsMatch(agentId);

    /// <summary>A new one-time enrollment token: 32 random bytes, base64url.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The lowercase hex SHA-256 of a token's or secret's UTF-8 bytes.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();
}
