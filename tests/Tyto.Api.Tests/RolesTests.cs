using System.Net;
using System.Net.Http.Json;

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
}
