using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Tyto.Actors.Agents;

/// <summary>
/// The one-time tokens and polling secrets of enrollment: only their hashes are ever stored, and
/// the agent endpoint hashes what an agent presents the same way.
/// </summary>
public static class EnrollmentSecrets
{
    /// <summary>A new one-time enrollment token: 32 random bytes, base64url.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The lowercase hex SHA-256 of a token's or secret's UTF-8 bytes.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
