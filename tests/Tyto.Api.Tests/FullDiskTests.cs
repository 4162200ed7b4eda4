using System.Net;
using System.Text.Json;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

/// <summary>The data directory on a small tmpfs that fills up and empties again, with the server running throughout.</summary>
public sealed class FullDiskTests
{
    private static readonly TimeSpan Healing = TimeSpan.FromSeconds(90);

    [TmpfsFact]
    public async Task A_full_disk_answers_writes_503_reports_a_degraded_store_and_heals_when_space_returns()
    {
        using var disk = new Tmpfs("48m");
        await using var host = await TytoHost.StartAsync(disk.Path);
        using var admin = await host.LoginAsync();
        var memoryWarning = 40;
        Assert.Equal(HttpStatusCode.OK, (await ChangeThresholdAsync(admin, ++memoryWarning)).Status);

        disk.Fill();

        // The journal may still have room in pages it already holds; the first change it cannot write is refused.
        var refused = await Poll.ForAsync(() => ChangeThresholdAsync(admin, ++memoryWarning), a => a.Status != HttpStatusCode.OK, "a threshold change is refused");
        AssertStoreUnavailable(refused);
        AssertStoreUnavailable(await Poll.ForAsync(
            () => SendAsync(admin, HttpMethod.Post, "/api/v1/settings/refresh", """{"interval":3}"""), a => a.Status != HttpStatusCode.OK, "an interval change is refused"));
        var health = await Poll.ForAsync(() => SendAsync(host.Client, HttpMethod.Get, "/health"), a => a.Body.GetProperty("status").GetString() != "ok", "health reports the store");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("degraded", health.Body.GetProperty("status").GetString());
        Assert.Equal("unavailable", health.Body.GetProperty("store").GetProperty("status").GetString());

        disk.Empty();

        var healed = await Poll.ForAsync(() => ChangeThresholdAsync(admin, ++memoryWarning), a => a.Status == HttpStatusCode.OK, "threshold changes heal", Healing);
        Assert.Equal(memoryWarning, healed.Body.GetProperty("memory").GetProperty("warning").GetDouble());
        await Poll.ForAsync(() => SendAsync(admin, HttpMethod.Post, "/api/v1/settings/refresh", """{"interval":3}"""), a => a.Status == HttpStatusCode.OK, "interval changes heal", Healing);
        var alerts = await SendAsync(admin, HttpMethod.Get, "/api/v1/alerts");
        Assert.Equal(HttpStatusCode.OK, alerts.Status);
        Assert.Equal(memoryWarning, alerts.Body.GetProperty("config").GetProperty("memory").GetProperty("warning").GetDouble());
        await Poll.ForAsync(() => SendAsync(host.Client, HttpMethod.Get, "/health"), a => a.Body.GetProperty("status").GetString() == "ok", "health is ok again", Healing);
    }

    private static void AssertStoreUnavailable(Answer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)answer.Status}: {answer.Body}");
        Assert.Equal("STORE_UNAVAILABLE", answer.Body.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Object, answer.Body.GetProperty("details").ValueKind);
    }

    private static Task<Answer> ChangeThresholdAsync(HttpClient admin, int memoryWarning) =>
        SendAsync(admin, HttpMethod.Post, "/api/v1/alerts/config", $$$"""{"memory":{"warning":{{{memoryWarning}}}}}""");

    private static async Task<Answer> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private sealed record Answer(HttpStatusCode Status, JsonElement Body);
}
