using Tyto.Actors.Identity;

namespace Tyto.Actors.Tests.Identity;

public sealed class PasswordHasherTests
{
    private const string Password = "correct horse battery staple";

    /// <summary>600,000 iterations take a while: the hash is made once for the class.</summary>
    private static readonly Lazy<string> Stored = new(() => PasswordHasher.Hash(Password));

    [Fact]
    public void The_right_password_verifies()
    {
        Assert.True(PasswordHasher.Verify(Password, Stored.Value));
    }

    [Fact]
    public void A_wrong_password_does_not()
    {
        Assert.False(PasswordHasher.Verify("correct horse battery stapler", Stored.Value));
    }

    [Fact]
    public void Hashes_are_salted_pbkdf2_sha256_at_600000_iterations()
    {
        var again = PasswordHasher.Hash(Password);

        Assert.StartsWith("pbkdf2-sha256$600000$", Stored.Value, StringComparison.Ordinal);
        Assert.Equal(4, Stored.Value.Split('$').Length);
        Assert.NotEqual(Stored.Value, again);
        Assert.True(PasswordHasher.Verify(Password, again));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text")]
    [InlineData("bcrypt$600000$c2FsdA==$aGFzaA==")]
    public void A_stored_value_of_another_format_never_verifies(string stored)
    {
        Assert.False(PasswordHasher.Verify(Password, stored));
    }
}
