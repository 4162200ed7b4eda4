using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tyto.Api.Tests;

public sealed class UsersTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Password = "users-password-1";

    private HttpClient Admin => shared.Admin;

    [Fact]
    public async Task Created_user_is_listed_and_read_back_with_the_fields_of_the_api()
    {
        var created = await CreateAsync("alice.w", roles: ["operator"], email: "alice@example.com");
        Assert.Equal("alice.w", created.GetProperty("username").GetString());
        Assert.Equal("alice@example.com", created.GetProperty("email").GetString());
        Assert.Equal(["operator"], Strings(created.GetProperty("roles")));
        Assert.Equal("local", created.GetProperty("auth_provider").GetString());
        Assert.False(created.GetProperty("disabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("last_login").ValueKind);
        Assert.EndsWith("Z", created.GetProperty("created_at").GetString(), StringComparison.Ordinal);
        Assert.False(created.TryGetProperty("password", out _));

        var id = created.GetProperty("id").GetString();
        using (var list = await Admin.GetAsync("/api/v1/users"))
            Assert.Contains((await list.JsonAsync(HttpStatusCode.OK)).GetProperty("users").EnumerateArray(), u => u.GetProperty("id").GetString() == id);
        using (var read = await Admin.GetAsync($"/api/v1/users/{id}"))
            Assert.Equal(created.GetRawText(), (await read.JsonAsync(HttpStatusCode.OK)).GetRawText());

        await shared.Host.TokenAsync("alice.w", Password);
        using var afterLogin = await Admin.GetAsync($"/api/v1/users/{id}");
        Assert.NotEqual(JsonValueKind.Null, (await afterLogin.JsonAsync(HttpStatusCode.OK)).GetProperty("last_login").ValueKind);
    }

    [Fact]
    public async Task A_user_without_roles_given_is_a_viewer()
    {
        using var response = await Admin.PostJsonAsync("/api/v1/users", new { username = "plain", password = Password });
        Assert.Equal(["viewer"], Strings((await response.JsonAsync(HttpStatusCode.Created)).GetProperty("roles")));
    }

    [Theory]
    [InlineData("ab", Password, null, "username")]
    [InlineData("this-name-is-far-too-long-for-tyto-because-it-has-more-than-64-chars", Password, null, "username")]
    [InlineData("has space", Password, null, "username")]
    [InlineData("semi;colon", Password, null, "username")]
    [InlineData(null, Password, null, "username")]
    [InlineData("bob", "short", null, "password")]
    [InlineData("bob", null, null, "password")]
    [InlineData("longusername", "LONGUSERNAME", null, "password")]
    [InlineData("bob", Password, "not-an-email", "email")]
    [InlineData("bob", Password, "bob@", "email")]
    [InlineData("bob", Password, "a@-b.c", "email")]
    [InlineData("bob", Password, "\u202Ebob@example.com", "email")]
    public async Task Invalid_fields_are_400_naming_the_field(string? username, string? password, string? email, string field)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/users", new { username, password, email });
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(body.GetProperty("details").TryGetProperty(field, out _), body.GetRawText());
        await AssertNoUserAsync(username);
    }

    [Fact]
    public async Task Unknown_role_is_400_and_a_taken_username_409_without_regard_to_case()
    {
        using (var role = await Admin.PostJsonAsync("/api/v1/users", new { username = "roleless", password = Password, roles = new[] { "wizard" } }))
            Assert.Equal(["wizard"], Strings((await role.ErrorAsync(HttpStatusCode.BadRequest, "UNKNOWN_ROLE")).GetProperty("details").GetProperty("roles")));
        await AssertNoUserAsync("roleless");

        await CreateAsync("Dup.User");
        using var taken = await Admin.PostJsonAsync("/api/v1/users", new { username = "dup.user", password = Password });
        await taken.ErrorAsync(HttpStatusCode.Conflict, "USERNAME_TAKEN");
    }

    [Fact]
    public async Task Malformed_bodies_and_unknown_ids_are_answered_in_the_envelope()
    {
        using (var malformed = await Admin.SendRawAsync(HttpMethod.Post, "/api/v1/users", "{\"username\": [}"))
            await malformed.ErrorAsync(HttpStatusCode.BadRequest, "INVALID_REQUEST");
        using (var missing = await Admin.GetAsync("/api/v1/users/no-such-id"))
            await missing.ErrorAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        using (var update = await Admin.PutAsJsonAsync("/api/v1/users/no-such-id", new { email = "x@example.com" }))
            await update.ErrorAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        using (var delete = await Admin.DeleteAsync("/api/v1/users/no-such-id"))
            await delete.ErrorAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        using (var reset = await Admin.PutAsJsonAsync("/api/v1/users/no-such-id/password", new { new_password = "whatever-password" }))
            await reset.ErrorAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
    }

    [Fact]
    public async Task Changing_roles_changes_what_the_user_may_do_at_once()
    {
        var id = (await CreateAsync("rolechange", roles: ["viewer"])).GetProperty("id").GetString();
        using var user = await shared.Host.LoginAsync("rolechange", Password);
        using (var denied = await user.GetAsync("/api/v1/users"))
            await denied.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        using (var update = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = new[] { "operator", "viewer" }, email = "ops@example.com" }))
        {
            var body = await update.JsonAsync(HttpStatusCode.OK);
            Assert.Equal(["operator", "viewer"], Strings(body.GetProperty("roles")));
            Assert.Equal("ops@example.com", body.GetProperty("email").GetString());
        }
        using (var allowed = await user.GetAsync("/api/v1/users"))
            await allowed.JsonAsync(HttpStatusCode.OK);

        using var unknown = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = new[] { "ghost" } });
        await unknown.ErrorAsync(HttpStatusCode.BadRequest, "UNKNOWN_ROLE");
        using var bad = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { email = "nope" });
        await bad.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Disabling_ends_every_session_and_live_stream_and_blocks_login()
    {
        var id = (await CreateAsync("leaver", roles: ["viewer"])).GetProperty("id").GetString();
        using var session = await shared.Host.LoginAsync("leaver", Password);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var stream = await SseReader.OpenAsync(session, "/api/v1/stream", deadline.Token);
        await stream.NextSampleAsync(deadline.Token);

        using (var disable = await Admin.DeleteAsync($"/api/v1/users/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);

        using (var me = await session.GetAsync("/api/v1/auth/me"))
            await me.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using (var login = await shared.Host.Client.PostJsonAsync("/api/v1/auth/login", new { username = "leaver", password = Password }))
            await login.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
                await stream.NextAsync(deadline.Token);
        });

        using (var listed = await Admin.GetAsync($"/api/v1/users/{id}"))
            Assert.True((await listed.JsonAsync(HttpStatusCode.OK)).GetProperty("disabled").GetBoolean());
        using (var enable = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { disabled = false }))
            await enable.JsonAsync(HttpStatusCode.OK);
        await shared.Host.TokenAsync("leaver", Password);
    }

    [Fact]
    public async Task An_administrator_reset_ends_all_of_the_users_sessions()
    {
        var id = (await CreateAsync("forgetful")).GetProperty("id").GetString();
        using var session = await shared.Host.LoginAsync("forgetful", Password);

        using (var tooShort = await Admin.PutAsJsonAsync($"/api/v1/users/{id}/password", new { new_password = "short" }))
            await tooShort.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        using (var reset = await Admin.PutAsJsonAsync($"/api/v1/users/{id}/password", new { new_password = "temporary-password" }))
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        using (var me = await session.GetAsync("/api/v1/auth/me"))
            await me.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await shared.Host.TokenAsync("forgetful", "temporary-password");
    }

    [Fact]
    public async Task The_last_enabled_administrator_cannot_be_disabled_or_demoted_and_nobody_disables_themself()
    {
        var adminId = await MyIdAsync(Admin);
        using (var self = await Admin.DeleteAsync($"/api/v1/users/{adminId}"))
            await self.ErrorAsync(HttpStatusCode.Conflict, "CANNOT_DISABLE_SELF");
        using (var demote = await Admin.PutAsJsonAsync($"/api/v1/users/{adminId}", new { roles = new[] { "viewer" } }))
            await demote.ErrorAsync(HttpStatusCode.Conflict, "LAST_ADMINISTRATOR");

        // With a second administrator the first may step down, and come back.
        var second = (await CreateAsync("second.admin", roles: ["admin"])).GetProperty("id").GetString();
        using (var demote = await Admin.PutAsJsonAsync($"/api/v1/users/{adminId}", new { roles = new[] { "viewer" } }))
            await demote.JsonAsync(HttpStatusCode.OK);
        using var secondAdmin = await shared.Host.LoginAsync("second.admin", Password);
        using (var restore = await secondAdmin.PutAsJsonAsync($"/api/v1/users/{adminId}", new { roles = new[] { "admin" } }))
            await restore.JsonAsync(HttpStatusCode.OK);
        using (var disable = await Admin.DeleteAsync($"/api/v1/users/{second}"))
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        using (var still = await Admin.GetAsync("/api/v1/auth/me"))
            Assert.Contains("*", Strings((await still.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions")));
    }

    [Fact]
    public async Task A_user_manager_cannot_make_itself_or_anyone_an_administrator()
    {
        // The issue's case: a role of users:read and users:write only.
        var (manager, managerId) = await HolderAsync("Account Clerks", "clerk", "users:read", "users:write");
        using (var raise = await manager.PutAsJsonAsync($"/api/v1/users/{managerId}", new { roles = new[] { "admin" } }))
            Assert.Equal(["*"], Strings((await raise.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT")).GetProperty("details").GetProperty("permissions")));
        using (var audit = await manager.GetAsync("/api/v1/audit"))
            await audit.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        using (var admin = await manager.PostJsonAsync("/api/v1/users", new { username = "made.admin", password = Password, roles = new[] { "admin" } }))
            await admin.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT");
        // Even a viewer grants what the clerk does not hold.
        using (var viewer = await manager.PostJsonAsync("/api/v1/users", new { username = "made.viewer", password = Password }))
            Assert.Contains("dashboard:view", Strings((await viewer.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT")).GetProperty("details").GetProperty("permissions")));
        await AssertNoUserAsync("made.admin");
        await AssertNoUserAsync("made.viewer");
        using var me = await manager.GetAsync("/api/v1/auth/me");
        Assert.Equal(["users:read", "users:write"], Strings((await me.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions")));
    }

    [Fact]
    public async Task A_user_manager_can_neither_reset_nor_disable_nor_edit_an_administrator()
    {
        var (manager, _) = await HolderAsync("Account Desk", "desk", "users:read", "users:write");
        var adminId = await MyIdAsync(Admin);
        using (var reset = await manager.PutAsJsonAsync($"/api/v1/users/{adminId}/password", new { new_password = "taken-over-password" }))
            await reset.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");
        using (var disable = await manager.DeleteAsync($"/api/v1/users/{adminId}"))
            await disable.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");
        using (var edit = await manager.PutAsJsonAsync($"/api/v1/users/{adminId}", new { email = "takeover@example.com", roles = new[] { "admin" } }))
            await edit.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");

        // The administrator's session, password and e-mail are as they were.
        using (var admin = await Admin.GetAsync($"/api/v1/users/{adminId}"))
        {
            var body = await admin.JsonAsync(HttpStatusCode.OK);
            Assert.False(body.GetProperty("disabled").GetBoolean());
            Assert.NotEqual("takeover@example.com", body.GetProperty("email").GetString());
        }
        await shared.Host.TokenAsync("admin", TytoHost.AdminPassword);
    }

    [Fact]
    public async Task A_user_manager_still_manages_users_who_hold_no_more_than_it_does_and_may_step_down()
    {
        var (manager, managerId) = await HolderAsync("Help Desk", "helpdesk", "users:read", "users:write");
        using (var role = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Directory Readers", permissions = new[] { "users:read" } }))
            await role.JsonAsync(HttpStatusCode.Created);

        string id;
        using (var created = await manager.PostJsonAsync("/api/v1/users", new { username = "directory.reader", password = Password, roles = new[] { "directory-readers" } }))
            id = (await created.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using (var promote = await manager.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = new[] { "help-desk" }, email = "reader@example.com" }))
            Assert.Equal(["help-desk"], Strings((await promote.JsonAsync(HttpStatusCode.OK)).GetProperty("roles")));
        using (var reset = await manager.PutAsJsonAsync($"/api/v1/users/{id}/password", new { new_password = "temporary-password" }))
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        using (var disable = await manager.DeleteAsync($"/api/v1/users/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);

        using (var stepDown = await manager.PutAsJsonAsync($"/api/v1/users/{managerId}", new { roles = new[] { "directory-readers" } }))
            await stepDown.JsonAsync(HttpStatusCode.OK);
        using (var back = await manager.PutAsJsonAsync($"/api/v1/users/{managerId}", new { roles = new[] { "help-desk" } }))
            await back.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task Null_in_a_role_list_or_too_many_roles_are_400_and_change_nothing()
    {
        using (var create = await Admin.SendRawAsync(HttpMethod.Post, "/api/v1/users", "{\"username\":\"nully\",\"password\":\"nully-password\",\"roles\":[null]}"))
            Assert.True((await create.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").TryGetProperty("roles", out _));
        await AssertNoUserAsync("nully");

        var id = (await CreateAsync("listed")).GetProperty("id").GetString();
        using (var update = await Admin.SendRawAsync(HttpMethod.Put, $"/api/v1/users/{id}", "{\"roles\":[\"operator\",null]}"))
            await update.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        var tooMany = Enumerable.Repeat("operator", Tyto.Actors.Identity.IdentityRules.MaxRolesPerUser + 1).ToArray();
        using (var create = await Admin.PostJsonAsync("/api/v1/users", new { username = "hoarder", password = Password, roles = tooMany }))
        {
            var details = (await create.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details");
            Assert.Contains($"at most {Tyto.Actors.Identity.IdentityRules.MaxRolesPerUser} ", details.GetProperty("roles").GetString(), StringComparison.Ordinal);
        }
        await AssertNoUserAsync("hoarder");
        using (var update = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = tooMany }))
            await update.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        // Unknown roles are named, but only a few of them and only the start of each.
        var unknown = Enumerable.Range(0, Tyto.Actors.Identity.IdentityRules.MaxRolesPerUser).Select(i => $"ghost-{i}-" + new string('x', 500)).ToArray();
        using (var update = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = unknown }))
        {
            var text = await update.Content.ReadAsStringAsync();
            Assert.True(text.Length < 2_000, $"{text.Length} characters");
            Assert.Equal(5, (await update.ErrorAsync(HttpStatusCode.BadRequest, "UNKNOWN_ROLE")).GetProperty("details").GetProperty("roles").GetArrayLength());
        }

        using var read = await Admin.GetAsync($"/api/v1/users/{id}");
        Assert.Equal(["viewer"], Strings((await read.JsonAsync(HttpStatusCode.OK)).GetProperty("roles")));
    }

    [Fact]
    public async Task An_email_longer_than_254_characters_is_400_naming_the_field()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".example";
        using (var create = await Admin.PostJsonAsync("/api/v1/users", new { username = "longmail", password = Password, email }))
            Assert.Contains("254", (await create.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").GetProperty("email").GetString(), StringComparison.Ordinal);
        var id = (await CreateAsync("shortmail")).GetProperty("id").GetString();
        using var update = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { email });
        await update.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
    }

    /// <summary>A user holding a new role of exactly <paramref name="permissions"/>, signed in.</summary>
    private async Task<(HttpClient Client, string Id)> HolderAsync(string roleName, string username, params string[] permissions)
    {
        using (var role = await Admin.PostJsonAsync("/api/v1/roles", new { name = roleName, permissions }))
            await role.JsonAsync(HttpStatusCode.Created);
        var id = (await CreateAsync(username, roles: [Tyto.Actors.Identity.IdentityRules.Slug(roleName)])).GetProperty("id").GetString()!;
        return (await shared.Host.LoginAsync(username, Password), id);
    }

    private async Task<JsonElement> CreateAsync(string username, string[]? roles = null, string? email = null)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/users", new { username, password = Password, email, roles });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    private async Task AssertNoUserAsync(string? username)
    {
        using var list = await Admin.GetAsync("/api/v1/users");
        Assert.DoesNotContain((await list.JsonAsync(HttpStatusCode.OK)).GetProperty("users").EnumerateArray(), u => u.GetProperty("username").GetString() == username);
    }

    internal static async Task<string> MyIdAsync(HttpClient client)
    {
        using var me = await client.GetAsync("/api/v1/auth/me");
        return (await me.JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetString()!;
    }

    internal static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();
}
