using System.Globalization;
using System.Net;
using System.Text.Json;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

/// <summary>Alerts raised by the real rules of the local agent, read back now, at a past instant and as history.</summary>
public sealed class AlertsTests
{
    [Fact]
    public async Task A_low_memory_threshold_raises_an_alert_to_acknowledge_that_board_history_replay_and_a_restart_agree_on()
    {
        var dataDir = TytoHost.NewDataDir();
        string alertId;
        DateTime beforeChange;
        await using (var host = await TytoHost.StartAsync(dataDir, "--Tyto:Alerts:For=00:00:00"))
        {
            using var admin = await host.LoginAsync();
            // With no duration a busy CPU may raise alerts of its own: the test looks at memory only.
            using (var none = await admin.GetAsync("/api/v1/alerts"))
                Assert.Empty(Memory(await none.JsonAsync(HttpStatusCode.OK)));

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using var stream = await SseReader.OpenAsync(admin, "/api/v1/stream?agent_id=local", timeout.Token);
            await stream.NextSampleAsync(timeout.Token);
            beforeChange = DateTime.UtcNow;
            using (var change = await admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 0.01, critical = 99 } }))
                await change.JsonAsync(HttpStatusCode.OK);

            // The live stream pushes the raise as an alert frame, beside the metrics frames.
            JsonElement pushed;
            do
            {
                var received = await stream.NextAsync(timeout.Token);
                pushed = received.Type == "alert" ? JsonDocument.Parse(received.Data).RootElement.Clone() : default;
            }
            while (pushed.ValueKind != JsonValueKind.Object || pushed.GetProperty("type").GetString() != "memory");
            Assert.Equal(("raised", "local", "warning"), (pushed.GetProperty("kind").GetString(), pushed.GetProperty("agent_id").GetString(), pushed.GetProperty("level").GetString()));

            var alert = await WaitForAlertAsync(admin, "memory");
            Assert.Equal(pushed.GetProperty("alert_id").GetString(), alert.GetProperty("id").GetString());
            alertId = alert.GetProperty("id").GetString()!;
            Assert.Equal(("local", "warning", 0.01, false), (alert.GetProperty("agent_id").GetString(), alert.GetProperty("level").GetString(),
                alert.GetProperty("threshold").GetDouble(), alert.GetProperty("acknowledged").GetBoolean()));
            Assert.True(alert.GetProperty("created_at").GetDateTime() >= beforeChange.AddSeconds(-1));

            using (var board = await admin.GetAsync("/api/v1/alerts?agent_id=local"))
                Assert.Equal(0.01, (await board.JsonAsync(HttpStatusCode.OK)).GetProperty("config").GetProperty("memory").GetProperty("warning").GetDouble());

            for (var i = 0; i < 2; i++)
            {
                // Acknowledging twice is harmless: the first acknowledgement stands.
                using var acknowledged = await admin.PostAsync($"/api/v1/alerts/{Uri.EscapeDataString(alertId)}/acknowledge", null);
                var body = await acknowledged.JsonAsync(HttpStatusCode.OK);
                Assert.Equal((true, "admin"), (body.GetProperty("acknowledged").GetBoolean(), body.GetProperty("acknowledged_by").GetString()));
            }
            // The board read right after shows the acknowledgement, and so does the history: no wait for the projection.
            using (var board = await admin.GetAsync("/api/v1/alerts"))
                Assert.True(Assert.Single(Memory(await board.JsonAsync(HttpStatusCode.OK))).GetProperty("acknowledged").GetBoolean());
            using (var acknowledgements = await admin.GetAsync("/api/v1/alerts/history?type=memory"))
                Assert.Contains((await acknowledgements.JsonAsync(HttpStatusCode.OK)).GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "acknowledged");
            using (var unknown = await admin.PostAsync("/api/v1/alerts/local:memory:99/acknowledge", null))
                await unknown.ErrorAsync(HttpStatusCode.NotFound, "ALERT_NOT_FOUND");
        }

        await using (var restarted = await TytoHost.StartAsync(dataDir, "--Tyto:Alerts:For=00:00:00"))
        {
            using var admin = await restarted.LoginAsync();
            var kept = await WaitForAlertAsync(admin, "memory");
            Assert.Equal((alertId, true, "admin"), (kept.GetProperty("id").GetString(), kept.GetProperty("acknowledged").GetBoolean(), kept.GetProperty("acknowledged_by").GetString()));

            var at = Uri.EscapeDataString(beforeChange.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture));
            using (var past = await admin.GetAsync($"/api/v1/alerts?at={at}"))
                Assert.Empty(Memory(await past.JsonAsync(HttpStatusCode.OK)));
            var afterRaise = Uri.EscapeDataString(kept.GetProperty("created_at").GetDateTime().AddMilliseconds(1).ToString("O", CultureInfo.InvariantCulture));
            using (var raisedThen = await admin.GetAsync($"/api/v1/alerts?at={afterRaise}"))
            {
                // Just after the raise it was not yet acknowledged: the replay shows the board as it was then.
                var then = Assert.Single(Memory(await raisedThen.JsonAsync(HttpStatusCode.OK)));
                Assert.Equal((alertId, false), (then.GetProperty("id").GetString(), then.GetProperty("acknowledged").GetBoolean()));
            }

            // Far above the memory in use, the alert resolves (no duration is configured) and cannot be acknowledged any more.
            using (var change = await admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 90, critical = 99 } }))
                await change.JsonAsync(HttpStatusCode.OK);
            await Poll.UntilAsync(
                async () =>
                {
                    using var board = await admin.GetAsync("/api/v1/alerts");
                    return Memory(await board.JsonAsync(HttpStatusCode.OK)).Count == 0;
                },
                "the alert resolved",
                TimeSpan.FromSeconds(30));
            using (var resolved = await admin.PostAsync($"/api/v1/alerts/{Uri.EscapeDataString(alertId)}/acknowledge", null))
                await resolved.ErrorAsync(HttpStatusCode.Conflict, "ALERT_RESOLVED");

            using var history = await admin.GetAsync("/api/v1/alerts/history?agent_id=local&type=memory");
            var events = (await history.JsonAsync(HttpStatusCode.OK)).GetProperty("events").EnumerateArray().ToList();
            Assert.Equal(["raised", "acknowledged", "resolved"], events.Select(e => e.GetProperty("kind").GetString()));
            Assert.All(events, e => Assert.Equal(alertId, e.GetProperty("alert_id").GetString()));
            Assert.Equal(("warning", "admin"), (events[0].GetProperty("level").GetString(), events[1].GetProperty("user").GetString()));
        }
        TytoHost.DeleteDataDir(dataDir);
    }

    private static List<JsonElement> Memory(JsonElement board) =>
        [.. board.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("type").GetString() == "memory")];

    private static Task<JsonElement> WaitForAlertAsync(HttpClient client, string type) =>
        Poll.ForAsync(
            async () =>
            {
                using var response = await client.GetAsync("/api/v1/alerts");
                return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray().FirstOrDefault(a => a.GetProperty("type").GetString() == type);
            },
            alert => alert.ValueKind == JsonValueKind.Object,
            $"a {type} alert",
            TimeSpan.FromSeconds(30));
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
