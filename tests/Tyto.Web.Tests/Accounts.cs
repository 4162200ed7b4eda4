using System.Net;
using System.Text.Json;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>Users and roles made through the API, for the tests that need someone other than the admin.</summary>
internal static class Accounts
{
    public const string Password = "a-long-test-password";

    public static async Task<JsonElement> CreateUserAsync(HttpClient admin, string username, params string[] roles)
    {
        using var response = await admin.PostJsonAsync("/api/v1/users", new { username, password = Password, email = (string?)null, roles });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>A custom role; its id is the slug of <paramref name="name"/>.</summary>
    public static async Task<JsonElement> CreateRoleAsync(HttpClient admin, string name, params string[] permissions)
    {
        using var response = await admin.PostJsonAsync("/api/v1/roles", new { name, description = $"{name} (made by a test)", permissions });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonElement?> RoleAsync(HttpClient admin, string id)
    {
        using var response = await admin.GetAsync("/api/v1/roles");
        var roles = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("roles").EnumerateArray();
        return roles.Where(r => r.GetProperty("id").GetString() == id).Select(r => (JsonElement?)r).FirstOrDefault();
    }
}
