using System.Net;
using System.Text.Json;

namespace Tyto.Api.Tests;

/// <summary>On a host of their own (a <see cref="SharedHost"/> for this class only): the tests change the thresholds.</summary>
public sealed class AlertConfigTests(SharedHost shared) : IClassFixture<SharedHost>
{
    [Theory]
    [InlineData("""{"cpu":{"warning":"high"}}""", "cpu.warning")]
    [InlineData("""{"cpu":{"warning":-5}}""", "cpu.warning")]
    [InlineData("""{"memory":{"critical":101}}""", "memory.critical")]
    [InlineData("""{"disk":{"warning":95}}""", "disk.warning")]
    [InlineData("""{"cpu":{"warning":90,"critical":90}}""", "cpu.warning")]
    [InlineData("""{"gpu":{"warning":50}}""", "gpu")]
    [InlineData("""{"cpu":{"warning":50,"severe":60}}""", "cpu.severe")]
    [InlineData("""{"cpu":80}""", "cpu")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"cpu":{"warning":1e400}}""", "cpu.warning")]
    public async Task Bad_thresholds_are_400_and_change_nothing(string json, string field)
    {
        var before = await CurrentAsync(shared.Admin);
        using (var response = await shared.Admin.SendRawAsync(HttpMethod.Post, "/api/v1/alerts/config", json))
        {
            var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
            Assert.True(body.GetProperty("details").TryGetProperty(field, out _), body.GetRawText());
        }
        // A valid part beside the bad one (of another type: a repeated one is refused as such) is not applied either.
        var valid = json.Contains("\"memory\"", StringComparison.Ordinal) ? "\"disk\":{\"critical\":99}," : "\"memory\":{\"warning\":11},";
        var mixed = json.StartsWith('{') ? json.Insert(1, valid) : json;
        using (var response = await shared.Admin.SendRawAsync(HttpMethod.Post, "/api/v1/alerts/config", mixed))
            await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");

        Assert.Equal(before, await CurrentAsync(shared.Admin));
    }

    [Fact]
    public async Task A_subset_merges_into_the_thresholds()
    {
        var before = await CurrentAsync(shared.Admin);
        using var response = await shared.Admin.PostJsonAsync("/api/v1/alerts/config", new { disk = new { warning = 70.5 } });

        var after = Read(await response.JsonAsync(HttpStatusCode.OK));

        Assert.Equal((70.5, before["disk"].Item2), after["disk"]);
        Assert.Equal((before["cpu"], before["memory"]), (after["cpu"], after["memory"]));
    }

    /// <summary>The thresholds now: an empty change answers them without changing anything.</summary>
    public static async Task<Dictionary<string, (double, double)>> CurrentAsync(HttpClient client)
    {
        using var response = await client.PostJsonAsync("/api/v1/alerts/config", new { });
        return Read(await response.JsonAsync(HttpStatusCode.OK));
    }

    public static Dictionary<string, (double, double)> Read(JsonElement config) =>
        config.EnumerateObject().ToDictionary(p => p.Name, p => (p.Value.GetProperty("warning").GetDouble(), p.Value.GetProperty("critical").GetDouble()));
}

public sealed class AlertConfigRestartTests
{
    [Fact]
    public async Task Changed_thresholds_survive_a_restart()
    {
        var dataDir = TytoHost.NewDataDir();
        await using (var first = await TytoHost.StartAsync(dataDir))
        {
            using var admin = await first.LoginAsync();
            using var response = await admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 10 }, disk = new { critical = 99 } });
            Assert.Equal(
                new Dictionary<string, (double, double)> { ["cpu"] = (80, 95), ["memory"] = (10, 95), ["disk"] = (80, 99) },
                AlertConfigTests.Read(await response.JsonAsync(HttpStatusCode.OK)));
        }

        await using (var second = await TytoHost.StartAsync(dataDir))
        {
            using var admin = await second.LoginAsync();
            Assert.Equal(
                new Dictionary<string, (double, double)> { ["cpu"] = (80, 95), ["memory"] = (10, 95), ["disk"] = (80, 99) },
                await AlertConfigTests.CurrentAsync(admin));
        }
        TytoHost.DeleteDataDir(dataDir);
    }
}
