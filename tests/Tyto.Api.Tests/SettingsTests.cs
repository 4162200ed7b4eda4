using System.Net;
using System.Text.Json;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class SettingsValidationTests(SharedHost shared)
{
    [Theory]
    [InlineData("{\"interval\":0}", "VALIDATION_FAILED")]
    [InlineData("{\"interval\":3601}", "VALIDATION_FAILED")]
    [InlineData("{\"interval\":-5}", "VALIDATION_FAILED")]
    [InlineData("{}", "VALIDATION_FAILED")]
    [InlineData("{\"interval\":\"fast\"}", "INVALID_REQUEST")]
    [InlineData("{\"interval\":1.5}", "INVALID_REQUEST")]
    [InlineData("[1]", "INVALID_REQUEST")]
    public async Task Refresh_interval_outside_1_to_3600_seconds_is_400_and_changes_nothing(string json, string code)
    {
        using var response = await shared.Admin.SendRawAsync(HttpMethod.Post, "/api/v1/settings/refresh", json);
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, code);
        if (code == "VALIDATION_FAILED")
            Assert.True(body.GetProperty("details").TryGetProperty("interval", out _));
        using var current = await shared.Admin.GetAsync("/api/v1/settings/refresh");
        Assert.Equal(1, (await current.JsonAsync(HttpStatusCode.OK)).GetProperty("interval").GetInt32());
    }
}

/// <summary>Changing the interval changes every stream's cadence, so these tests get a host of their own.</summary>
public sealed class RefreshIntervalTests : IAsyncLifetime
{
    private TytoHost _host = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TytoHost.StartAsync();
        _admin = await _host.LoginAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(_host.DataDir);
    }

    [Fact]
    public async Task Refresh_interval_changes_the_stream_cadence()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var stream = await SseReader.OpenAsync(_admin, "/api/v1/stream", deadline.Token);

        var fast = await GapsAsync(stream, 4, deadline.Token);

        using (var before = await _admin.GetAsync("/api/v1/settings/refresh"))
            Assert.Equal(1, (await before.JsonAsync(HttpStatusCode.OK)).GetProperty("interval").GetInt32());
        using (var response = await _admin.PostJsonAsync("/api/v1/settings/refresh", new { interval = 3 }))
            Assert.Equal(3, (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("interval").GetInt32());
        using (var after = await _admin.GetAsync("/api/v1/settings/refresh"))
            Assert.Equal(3, (await after.JsonAsync(HttpStatusCode.OK)).GetProperty("interval").GetInt32());
        // The sample already on its way was collected at the old pace.
        await stream.NextSampleAsync(deadline.Token);
        var slow = await GapsAsync(stream, 3, deadline.Token);

        Assert.True(slow.Average() > 2 * fast.Average(), $"gaps at 1 s: {string.Join(", ", fast)}; at 3 s: {string.Join(", ", slow)}");
        Assert.InRange(slow.Average(), 2.0, 6.0);
    }

    /// <summary>Seconds between consecutive samples, by the samples' own timestamps.</summary>
    private static async Task<List<double>> GapsAsync(SseReader stream, int count, CancellationToken cancellationToken)
    {
        var times = new List<DateTime>();
        for (var i = 0; i <= count; i++)
            times.Add(Timestamp(await stream.NextSampleAsync(cancellationToken)));
        return times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
    }

    private static DateTime Timestamp(JsonElement sample) => sample.GetProperty("timestamp").GetDateTime();
}
