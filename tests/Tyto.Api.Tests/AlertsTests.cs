using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Tyto.Api.Tests;

/// <summary>Alerts raised by the real rules of the local agent, read back now, at a past instant and as history.</summary>
public sealed class AlertsTests
{
    [Fact]
    public async Task A_low_memory_threshold_raises_an_alert_that_the_board_history_and_replay_show_and_a_restart_keeps()
    {
        var dataDir = TytoHost.NewDataDir();
        string alertId;
        DateTime beforeChange;
        await using (var host = await TytoHost.StartAsync(dataDir, "--Tyto:Alerts:For=00:00:00"))
        {
            using var admin = await host.LoginAsync();
            using (var none = await admin.GetAsync("/api/v1/alerts"))
                Assert.Empty((await none.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray());

            beforeChange = DateTime.UtcNow;
            using (var change = await admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 0.01, critical = 99 } }))
                await change.JsonAsync(HttpStatusCode.OK);

            var alert = await WaitForAlertAsync(admin, "memory");
            alertId = alert.GetProperty("id").GetString()!;
            Assert.Equal(("local", "warning", 0.01, false), (alert.GetProperty("agent_id").GetString(), alert.GetProperty("level").GetString(),
                alert.GetProperty("threshold").GetDouble(), alert.GetProperty("acknowledged").GetBoolean()));
            Assert.True(alert.GetProperty("created_at").GetDateTime() >= beforeChange.AddSeconds(-1));

            using var board = await admin.GetAsync("/api/v1/alerts?agent_id=local");
            Assert.Equal(0.01, (await board.JsonAsync(HttpStatusCode.OK)).GetProperty("config").GetProperty("memory").GetProperty("warning").GetDouble());
        }

        await using (var restarted = await TytoHost.StartAsync(dataDir, "--Tyto:Alerts:For=00:00:00"))
        {
            using var admin = await restarted.LoginAsync();
            Assert.Equal(alertId, (await WaitForAlertAsync(admin, "memory")).GetProperty("id").GetString());

            var at = Uri.EscapeDataString(beforeChange.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture));
            using (var past = await admin.GetAsync($"/api/v1/alerts?at={at}"))
                Assert.Empty((await past.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray());

            using var history = await admin.GetAsync("/api/v1/alerts/history?agent_id=local&type=memory");
            var events = (await history.JsonAsync(HttpStatusCode.OK)).GetProperty("events").EnumerateArray().ToList();
            var raised = Assert.Single(events);
            Assert.Equal(("raised", alertId, "warning"), (raised.GetProperty("kind").GetString(), raised.GetProperty("alert_id").GetString(), raised.GetProperty("level").GetString()));
        }
        TytoHost.DeleteDataDir(dataDir);
    }

    private static async Task<JsonElement> WaitForAlertAsync(HttpClient client, string type)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync("/api/v1/alerts");
            var alerts = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray().ToList();
            if (alerts.FirstOrDefault(a => a.GetProperty("type").GetString() == type) is { ValueKind: JsonValueKind.Object } alert)
                return alert;
            Assert.True(DateTime.UtcNow < deadline, $"no {type} alert within 30 s");
            await Task.Delay(250);
        }
    }
}

[Collection(SharedHostGroup.Name)]
public sealed class AlertQueryTests(SharedHost shared)
{
    [Theory]
    [InlineData("/api/v1/alerts?at=yesterday", HttpStatusCode.BadRequest, "VALIDATION_FAILED")]
    [InlineData("/api/v1/alerts?agent_id=ghost", HttpStatusCode.NotFound, "AGENT_NOT_FOUND")]
    [InlineData("/api/v1/alerts/history?type=gpu", HttpStatusCode.BadRequest, "VALIDATION_FAILED")]
    [InlineData("/api/v1/alerts/history?from=2024-01-15T11:00:00Z&to=2024-01-15T10:00:00Z", HttpStatusCode.BadRequest, "INVALID_RANGE")]
    [InlineData("/api/v1/alerts/history?limit=0", HttpStatusCode.BadRequest, "VALIDATION_FAILED")]
    [InlineData("/api/v1/alerts/history?offset=-1", HttpStatusCode.BadRequest, "VALIDATION_FAILED")]
    public async Task Bad_alert_queries_are_refused_in_the_envelope(string path, HttpStatusCode status, string code)
    {
        using var response = await shared.Admin.GetAsync(path);
        await response.ErrorAsync(status, code);
    }
}
