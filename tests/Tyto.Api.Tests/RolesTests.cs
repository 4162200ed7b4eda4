using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tyto.Actors.Identity;

namespace Tyto.Api.Tests;

public sealed class RolesTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Password = "roles-password-1";

    private HttpClient Admin => shared.Admin;

    [Fact]
    public async Task System_roles_exist_and_are_marked_as_such()
    {
        using var response = await Admin.GetAsync("/api/v1/roles");
        var roles = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("roles").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(["*"], UsersTests.Strings(roles["admin"].GetProperty("permissions")));
        Assert.Equal("Administrator", roles["admin"].GetProperty("name").GetString());
        Assert.All(["admin", "operator", "viewer"], id => Assert.True(roles[id].GetProperty("is_system").GetBoolean()));
        Assert.Contains("alerts:acknowledge", UsersTests.Strings(roles["operator"].GetProperty("permissions")));
        Assert.DoesNotContain("processes:signal", UsersTests.Strings(roles["viewer"].GetProperty("permissions")));
    }

    [Fact]
    public async Task The_permission_catalogue_is_served_for_role_editors()
    {
        using var response = await Admin.GetAsync("/api/v1/permissions");
        var permissions = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions").EnumerateArray().ToList();
        Assert.Contains(permissions, p => p.GetProperty("name").GetString() == "alerts:acknowledge");
        Assert.All(permissions, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString())));
    }

    [Fact]
    public async Task A_custom_role_gets_the_slug_of_its_name_and_grants_its_permissions()
    {
        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Alert Manager", description = "Can manage alerts only", permissions = new[] { "dashboard:view", "alerts:*" } }))
        {
            var role = await created.JsonAsync(HttpStatusCode.Created);
            Assert.Equal("alert-manager", role.GetProperty("id").GetString());
            Assert.False(role.GetProperty("is_system").GetBoolean());
            Assert.Equal(["dashboard:view", "alerts:*"], UsersTests.Strings(role.GetProperty("permissions")));
        }
        using (var duplicate = await Admin.PostJsonAsync("/api/v1/roles", new { name = "alert  MANAGER", permissions = Array.Empty<string>() }))
            await duplicate.ErrorAsync(HttpStatusCode.Conflict, "ROLE_EXISTS");

        using (var user = await Admin.PostJsonAsync("/api/v1/users", new { username = "alerter", password = Password, roles = new[] { "alert-manager" } }))
            await user.JsonAsync(HttpStatusCode.Created);
        using var alerter = await shared.Host.LoginAsync("alerter", Password);
        using (var me = await alerter.GetAsync("/api/v1/auth/me"))
            Assert.Equal(["alerts:*", "dashboard:view"], UsersTests.Strings((await me.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions")));

        using (var updated = await Admin.PutAsJsonAsync("/api/v1/roles/alert-manager", new { permissions = new[] { "metrics:read" } }))
            await updated.JsonAsync(HttpStatusCode.OK);
        using (var me = await alerter.GetAsync("/api/v1/auth/me"))
            Assert.Equal(["metrics:read"], UsersTests.Strings((await me.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions")));
    }

    [Theory]
    [InlineData("{\"name\":\"Bad\",\"permissions\":[\"alerts:explode\"]}", "UNKNOWN_PERMISSION")]
    [InlineData("{\"name\":\"Bad\",\"permissions\":[\"nonsense\"]}", "UNKNOWN_PERMISSION")]
    [InlineData("{\"name\":\"Bad\",\"permissions\":[\"*:*\"]}", "UNKNOWN_PERMISSION")]
    [InlineData("{\"name\":\"Bad\",\"permissions\":[\"wizards:*\"]}", "UNKNOWN_PERMISSION")]
    [InlineData("{\"name\":\"Bad\"}", "VALIDATION_FAILED")]
    [InlineData("{\"permissions\":[]}", "VALIDATION_FAILED")]
    [InlineData("{\"name\":\"!!!\",\"permissions\":[]}", "VALIDATION_FAILED")]
    [InlineData("{\"name\":\"Bad\",\"permissions\":\"metrics:read\"}", "INVALID_REQUEST")]
    public async Task Invalid_roles_are_400_and_not_created(string json, string code)
    {
        using var response = await Admin.SendRawAsync(HttpMethod.Post, "/api/v1/roles", json);
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, code);
        if (code == "UNKNOWN_PERMISSION")
            Assert.Single(body.GetProperty("details").GetProperty("permissions").EnumerateArray());
        using var roles = await Admin.GetAsync("/api/v1/roles");
        Assert.DoesNotContain((await roles.JsonAsync(HttpStatusCode.OK)).GetProperty("roles").EnumerateArray(), r => r.GetProperty("id").GetString() == "bad");
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("operator")]
    [InlineData("viewer")]
    public async Task System_roles_can_be_neither_edited_nor_deleted(string id)
    {
        using (var edit = await Admin.PutAsJsonAsync($"/api/v1/roles/{id}", new { permissions = new[] { "metrics:read" } }))
            await edit.ErrorAsync(HttpStatusCode.Conflict, "SYSTEM_ROLE");
        using (var delete = await Admin.DeleteAsync($"/api/v1/roles/{id}"))
            await delete.ErrorAsync(HttpStatusCode.Conflict, "SYSTEM_ROLE");
    }

    [Fact]
    public async Task A_role_still_held_cannot_be_deleted_and_names_its_holders()
    {
        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Night Shift", permissions = new[] { "*:read" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        string id;
        using (var user = await Admin.PostJsonAsync("/api/v1/users", new { username = "carol", password = Password, roles = new[] { "night-shift" } }))
            id = (await user.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        using (var inUse = await Admin.DeleteAsync("/api/v1/roles/night-shift"))
            Assert.Equal(["carol"], UsersTests.Strings((await inUse.ErrorAsync(HttpStatusCode.Conflict, "ROLE_IN_USE")).GetProperty("details").GetProperty("users")));

        using (var reassign = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = new[] { "viewer" } }))
            await reassign.JsonAsync(HttpStatusCode.OK);
        using (var deleted = await Admin.DeleteAsync("/api/v1/roles/night-shift"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var gone = await Admin.DeleteAsync("/api/v1/roles/night-shift"))
            await gone.ErrorAsync(HttpStatusCode.NotFound, "ROLE_NOT_FOUND");
        using (var update = await Admin.PutAsJsonAsync("/api/v1/roles/night-shift", new { name = "x" }))
            await update.ErrorAsync(HttpStatusCode.NotFound, "ROLE_NOT_FOUND");
    }

    [Fact]
    public async Task Editing_away_the_last_administrators_star_is_refused()
    {
        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Root Too", permissions = new[] { "*" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        string id;
        using (var user = await Admin.PostJsonAsync("/api/v1/users", new { username = "rooty", password = Password, roles = new[] { "root-too" } }))
            id = (await user.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var rooty = await shared.Host.LoginAsync("rooty", Password);

        // rooty disables the built-in admin; rooty is now the only one holding '*', through a custom role.
        var adminId = await UsersTests.MyIdAsync(Admin);
        using (var disable = await rooty.DeleteAsync($"/api/v1/users/{adminId}"))
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        using (var edit = await rooty.PutAsJsonAsync("/api/v1/roles/root-too", new { permissions = new[] { "*:read" } }))
            await edit.ErrorAsync(HttpStatusCode.Conflict, "LAST_ADMINISTRATOR");

        using (var enable = await rooty.PutAsJsonAsync($"/api/v1/users/{adminId}", new { disabled = false }))
            await enable.JsonAsync(HttpStatusCode.OK);
        await shared.ReloginAsync();
        using (var demote = await Admin.PutAsJsonAsync($"/api/v1/users/{id}", new { roles = new[] { "viewer" } }))
            await demote.JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_role_manager_cannot_widen_its_own_role_nor_create_a_wider_one()
    {
        // The case: a role of roles:write only, whose holder sets it to everything.
        using var keeper = await HolderAsync("Role Keepers", "keeper", "roles:write");
        using (var star = await keeper.PutAsJsonAsync("/api/v1/roles/role-keepers", new { permissions = new[] { "*" } }))
            await star.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT");
        using (var more = await keeper.PutAsJsonAsync("/api/v1/roles/role-keepers", new { permissions = new[] { "roles:write", "audit:read" } }))
            Assert.Equal(["audit:read"], UsersTests.Strings((await more.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT")).GetProperty("details").GetProperty("permissions")));
        using (var wildcard = await keeper.PutAsJsonAsync("/api/v1/roles/role-keepers", new { permissions = new[] { "roles:*" } }))
            await wildcard.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT");
        using (var create = await keeper.PostJsonAsync("/api/v1/roles", new { name = "Escalators", permissions = new[] { "*" } }))
            await create.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_GRANT");

        var roles = await RolesAsync();
        Assert.DoesNotContain("escalators", roles.Keys);
        Assert.Equal(["roles:write"], UsersTests.Strings(roles["role-keepers"].GetProperty("permissions")));
    }

    [Fact]
    public async Task A_role_manager_changes_only_roles_within_what_it_holds()
    {
        using var clerk = await HolderAsync("Role Clerks", "role.clerk", "roles:*", "metrics:read");
        using (var auditors = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Auditors", permissions = new[] { "audit:read" } }))
            await auditors.JsonAsync(HttpStatusCode.Created);
        using (var rename = await clerk.PutAsJsonAsync("/api/v1/roles/auditors", new { name = "Renamed" }))
            await rename.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");
        using (var narrow = await clerk.PutAsJsonAsync("/api/v1/roles/auditors", new { permissions = new[] { "metrics:read" } }))
            await narrow.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");
        using (var delete = await clerk.DeleteAsync("/api/v1/roles/auditors"))
            await delete.ErrorAsync(HttpStatusCode.Forbidden, "CANNOT_MANAGE");
        Assert.Equal("Auditors", (await RolesAsync())["auditors"].GetProperty("name").GetString());

        using (var created = await clerk.PostJsonAsync("/api/v1/roles", new { name = "Metric Readers", permissions = new[] { "metrics:read" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        using (var edited = await clerk.PutAsJsonAsync("/api/v1/roles/metric-readers", new { description = "Live numbers", permissions = new[] { "metrics:read", "roles:read" } }))
            Assert.Equal(["metrics:read", "roles:read"], UsersTests.Strings((await edited.JsonAsync(HttpStatusCode.OK)).GetProperty("permissions")));
        using (var deleted = await clerk.DeleteAsync("/api/v1/roles/metric-readers"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Null_in_a_permission_list_is_400_and_changes_nothing()
    {
        using (var create = await Admin.SendRawAsync(HttpMethod.Post, "/api/v1/roles", "{\"name\":\"x\",\"permissions\":[null]}"))
            Assert.True((await create.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").TryGetProperty("permissions", out _));
        Assert.DoesNotContain("x", (await RolesAsync()).Keys);

        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Null Target", permissions = new[] { "metrics:read" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        using (var update = await Admin.SendRawAsync(HttpMethod.Put, "/api/v1/roles/null-target", "{\"permissions\":[\"alerts:read\",null]}"))
            await update.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.Equal(["metrics:read"], UsersTests.Strings((await RolesAsync())["null-target"].GetProperty("permissions")));
    }

    [Fact]
    public async Task Permission_lists_are_capped_and_an_error_echoes_only_a_few_items()
    {
        // The issue sent 1,000,000 unknown permissions; more than the cap is enough to show the answer stays small.
        var tooMany = Enumerable.Range(0, 1_000).Select(i => $"wizards:spell-{i}").ToArray();
        using (var create = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Hoarders", permissions = tooMany }))
        {
            Assert.True((await create.Content.ReadAsStringAsync()).Length < 1_000);
            var details = (await create.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details");
            Assert.Contains($"at most {IdentityRules.MaxPermissionsPerRole} ", details.GetProperty("permissions").GetString(), StringComparison.Ordinal);
        }
        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Capped", permissions = new[] { "metrics:read" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        using (var update = await Admin.PutAsJsonAsync("/api/v1/roles/capped", new { permissions = tooMany }))
            await update.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        var unknown = Enumerable.Range(0, IdentityRules.MaxPermissionsPerRole).Select(i => $"wizards:spell-{i}-" + new string('x', 300)).ToArray();
        using (var create = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Hoarders", permissions = unknown }))
        {
            var text = await create.Content.ReadAsStringAsync();
            Assert.True(text.Length < 2_000, $"{text.Length} characters");
            var listed = (await create.ErrorAsync(HttpStatusCode.BadRequest, "UNKNOWN_PERMISSION")).GetProperty("details").GetProperty("permissions");
            Assert.Equal(5, listed.GetArrayLength());
        }
        Assert.DoesNotContain("hoarders", (await RolesAsync()).Keys);
    }

    [Theory]
    [InlineData("{\"name\":\"Nul\\u0000Role\",\"permissions\":[]}", "name")]
    [InlineData("{\"name\":\"Esc \\u001b[31mRed\",\"permissions\":[]}", "name")]
    [InlineData("{\"name\":\"\\u202Eenimda\",\"permissions\":[]}", "name")]
    [InlineData("{\"name\":\"Plain\",\"description\":\"Nul\\u0000\",\"permissions\":[]}", "description")]
    [InlineData("{\"name\":\"Plain\",\"description\":\"\\u2067isolated\\u2069\",\"permissions\":[]}", "description")]
    [InlineData("{\"name\":\"Admin\",\"permissions\":[]}", "name")]
    [InlineData("{\"name\":\"ADMINISTRATOR\",\"permissions\":[]}", "name")]
    [InlineData("{\"name\":\" viewer \",\"permissions\":[]}", "name")]
    public async Task Role_names_and_descriptions_are_plain_text_and_system_names_are_reserved(string json, string field)
    {
        var before = (await RolesAsync()).Count;
        using var response = await Admin.SendRawAsync(HttpMethod.Post, "/api/v1/roles", json);
        Assert.True((await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").TryGetProperty(field, out _));
        Assert.Equal(before, (await RolesAsync()).Count);
    }

    [Fact]
    public async Task A_custom_role_cannot_be_renamed_to_a_system_role_nor_to_garbage_and_lengths_are_bounded()
    {
        using (var created = await Admin.PostJsonAsync("/api/v1/roles", new { name = "Day Shift", permissions = new[] { "metrics:read" } }))
            await created.JsonAsync(HttpStatusCode.Created);
        foreach (var name in new[] { "Admin", "operator", " Viewer ", "Night\u001b[0m Shift", "\u202EtfihS yaD", new string('n', IdentityRules.MaxRoleNameLength + 1) })
        {
            using var rename = await Admin.PutAsJsonAsync("/api/v1/roles/day-shift", new { name });
            Assert.True((await rename.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").TryGetProperty("name", out _), name);
        }
        using (var describe = await Admin.PutAsJsonAsync("/api/v1/roles/day-shift", new { description = new string('d', IdentityRules.MaxDescriptionLength + 1) }))
            Assert.Contains($"{IdentityRules.MaxDescriptionLength}", (await describe.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED")).GetProperty("details").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Day Shift", (await RolesAsync())["day-shift"].GetProperty("name").GetString());
    }

    private async Task<Dictionary<string, JsonElement>> RolesAsync()
    {
        using var response = await Admin.GetAsync("/api/v1/roles");
        return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("roles").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
    }

    /// <summary>A user holding a new role of exactly <paramref name="permissions"/>, signed in.</summary>
    private async Task<HttpClient> HolderAsync(string roleName, string username, params string[] permissions)
    {
        using (var role = await Admin.PostJsonAsync("/api/v1/roles", new { name = roleName, permissions }))
            await role.JsonAsync(HttpStatusCode.Created);
        using (var user = await Admin.PostJsonAsync("/api/v1/users", new { username, password = Password, roles = new[] { IdentityRules.Slug(roleName) } }))
            await user.JsonAsync(HttpStatusCode.Created);
        return await shared.Host.LoginAsync(username, Password);
    }
}
