using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Tyto.Api.Tests;

/// <summary>Assertions on API.md's responses.</summary>
public static class Http
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Checks the error envelope: status, code, a message, and a details object.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync(expected);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Object, body.GetProperty("details").ValueKind);
        Assert.DoesNotContain("   at ", body.GetRawText(), StringComparison.Ordinal);
        return body;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string path, string body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
}
