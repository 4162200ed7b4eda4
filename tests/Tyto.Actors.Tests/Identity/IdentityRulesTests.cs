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
    [InlineData("ops.team+alerts@mail.example-corp.co.uk", true)]
    [InlineData("ops@bücher.example", true)]
    [InlineData("ops@localhost", false)]
    [InlineData("Ops <ops@example.com>", false)]
    [InlineData("not-an-email", false)]
    [InlineData("a@-b.c", false)]
    [InlineData("a@b-.c", false)]
    [InlineData("a@b..c", false)]
    [InlineData("a@[10.0.0.1]", false)]
    [InlineData("\u202Eevil@example.com", false)]
    [InlineData("ev\u202Eil@example.com", false)]
    [InlineData("ops@exa\u200Emple.com", false)]
    public void Emails_must_be_plain_addresses(string? email, bool valid)
    {
        Assert.Equal(valid, IdentityRules.Email(email) is null);
    }

    [Fact]
    public void Emails_are_at_most_254_characters_and_the_error_says_so()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".example";
        var failure = IdentityRules.Email(email);
        Assert.Equal("email", Assert.Single(failure!.Details!).Key);
        Assert.Contains("254", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alert Manager", true)]
    [InlineData("Équipe de nuit", true)]
    [InlineData("Viewers", true)]
    [InlineData("Admin", false)]
    [InlineData(" ADMIN ", false)]
    [InlineData("administrator", false)]
    [InlineData("Operator", false)]
    [InlineData("viewer!", false)]
    public void Role_names_of_system_roles_are_reserved_without_regard_to_case(string name, bool valid)
    {
        var failure = IdentityRules.RoleName(name);
        Assert.Equal(valid, failure is null);
        if (failure is not null)
            Assert.Equal("name", Assert.Single(failure.Details!).Key);
    }

    /// <summary>Control characters by code, so that no test name carries one.</summary>
    [Theory]
    [InlineData(0x00)]
    [InlineData(0x09)]
    [InlineData(0x0A)]
    [InlineData(0x1B)]
    [InlineData(0x7F)]
    [InlineData(0x85)]
    [InlineData(0x9B)]
    [InlineData(0x061C)]
    [InlineData(0x200E)]
    [InlineData(0x200F)]
    [InlineData(0x202A)]
    [InlineData(0x202E)]
    [InlineData(0x2066)]
    [InlineData(0x2069)]
    public void Names_descriptions_and_emails_refuse_control_and_bidirectional_characters(int code)
    {
        var c = (char)code;
        Assert.Equal("name", Assert.Single(IdentityRules.RoleName($"Night{c}Shift")!.Details!).Key);
        Assert.Equal("description", Assert.Single(IdentityRules.Text("description", $"Works {c}nights", IdentityRules.MaxDescriptionLength)!.Details!).Key);
        Assert.NotNull(IdentityRules.Email($"{c}ops@example.com"));
        Assert.NotNull(IdentityRules.Email($"ops@exam{c}ple.com"));
    }

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_refused_and_a_pair_kept()
    {
        Assert.NotNull(IdentityRules.RoleName("Lone \uD800 high"));
        Assert.NotNull(IdentityRules.RoleName("Lone \uDC00 low"));
        Assert.NotNull(IdentityRules.RoleName("Ends high \uD83D"));
        Assert.Null(IdentityRules.RoleName("Owls \uD83E\uDD89"));
    }

    [Fact]
    public void Lists_refuse_null_items_and_more_items_than_their_limit()
    {
        Assert.Null(IdentityRules.List("roles", ["viewer"], 1));
        Assert.Contains("null", IdentityRules.List("roles", ["viewer", null!], 5)!.Message, StringComparison.Ordinal);
        Assert.Contains("at most 1 ", IdentityRules.List("roles", ["viewer", "operator"], 1)!.Message, StringComparison.Ordinal);
        Assert.Equal("VALIDATION_FAILED", IdentityRules.Permissions([null!])!.Code);
    }

    [Fact]
    public void An_error_names_only_a_few_offending_items_and_only_the_start_of_each()
    {
        var unknown = Enumerable.Range(0, 100).Select(i => $"wizards{i}:" + new string('x', 10_000)).ToList();
        var failure = IdentityRules.Permissions(unknown)!;
        Assert.Equal("UNKNOWN_PERMISSION", failure.Code);
        var shown = Assert.IsAssignableFrom<IReadOnlyList<string>>(failure.Details!["permissions"]);
        Assert.Equal(5, shown.Count);
        Assert.All(shown, p => Assert.True(p.Length <= 65, p));
        Assert.EndsWith("and 95 more", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Message.Length < 500, failure.Message);
    }
}
