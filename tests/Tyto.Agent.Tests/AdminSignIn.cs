using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tyto.Agent.Tests;

public static class AdminSignIn
{
    /// <summary>Signs <paramref name="api"/> in as admin with <paramref name="password"/>: its requests carry the session token from then on.</summary>
    public static async Task SignInAsAdminAsync(this HttpClient api, string password)
    {
        using var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
