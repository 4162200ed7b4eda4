using Tyto.Actors.Identity;

namespace Tyto.Actors.Tests.Identity;

public sealed class IdentityRulesTests
{
    [Theory]
    [InlineData("Alert Manager", "alert-manager")]
    [InlineData("  Night   Shift!! ", "night-shift")]
    [InlineData("DB/Ops 2", "db-ops-2")]
    [InlineData("!!!", "")]
    public void Role_ids_are_slugs_of_their_names(string name, string slug)
    {
        Assert.Equal(slug, IdentityRules.Slug(name));
    }

    [Fact]
    public void Slugs_fit_the_role_id_column()
    {
        var slug = IdentityRules.Slug(new string('a', 63) + " b" + new string('c', 30));
        Assert.True(slug.Length <= IdentityRules.MaxRoleIdLength);
        Assert.False(slug.EndsWith('-'));
    }

    [Theory]
    [InlineData("ops.team_1-a", true)]
    [InlineData("abc", true)]
    [InlineData("ab", false)]
    [InlineData("with space", false)]
    [InlineData("émile", false)]
    [InlineData("", false)]
    public void Usernames_are_3_to_64_letters_digits_dots_underscores_dashes(string username, bool valid)
    {
        Assert.Equal(valid, IdentityRules.Username(username) is null);
    }

    [Theory]
    [InlineData("alice", "long-enough-password", true)]
    [InlineData("alice", "short", false)]
    [InlineData("alicealice1", "ALICEALICE1", false)]
    public void Passwords_are_long_and_not_the_username(string username, string password, bool valid)
    {
        Assert.Equal(valid, IdentityRules.Password(username, password) is null);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("ops@example.com", true)]
    [InlineData("ops@localhost", false)]
    [InlineData("Ops <ops@example.com>", false)]
    [InlineData("not-an-email", false)]
    public void Emails_must_be_plain_addresses(string? email, bool valid)
    {
        Assert.Equal(valid, IdentityRules.Email(email) is null);
    }
}
