using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class HistoryTests(SharedHost shared)
{
    private static readonly string[] Series = ["cpu", "memory", "swap", "disk"];

    [Fact]
    public async Task After_a_few_ticks_raw_and_minute_history_hold_the_samples()
    {
        var raw = await WaitForHistoryAsync(shared.Admin, "resolution=raw", 3);
        Assert.Equal("raw", raw.GetProperty("resolution").GetString());
        Assert.Equal("local", raw.GetProperty("agent_id").GetString());
        var times = raw.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("timestamp").GetDateTime()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(raw.GetProperty("data").EnumerateArray(), point =>
        {
            Assert.Equal(1, point.GetProperty("samples").GetInt32());
            var cpu = point.GetProperty("cpu");
            Assert.Equal(cpu.GetProperty("min").GetDouble(), cpu.GetProperty("avg").GetDouble());
            Assert.Equal(cpu.GetProperty("max").GetDouble(), cpu.GetProperty("avg").GetDouble());
            Assert.InRange(point.GetProperty("memory").GetProperty("avg").GetDouble(), 0.01, 100);
            Assert.Contains("/", point.GetProperty("mounts").EnumerateObject().Select(m => m.Name));
        });

        var minutes = await WaitForHistoryAsync(shared.Admin, "resolution=1m", 1);
        Assert.Equal("1m", minutes.GetProperty("resolution").GetString());
        Assert.All(minutes.GetProperty("data").EnumerateArray(), point =>
        {
            Assert.Equal(0, point.GetProperty("timestamp").GetDateTime().Second);
            Assert.True(point.GetProperty("samples").GetInt32() >= 1);
            foreach (var stats in Series.Select(s => point.GetProperty(s)).Concat(
                [point.GetProperty("load").GetProperty("one"), point.GetProperty("network").GetProperty("rx"), point.GetProperty("diskio").GetProperty("write")]))
            {
                Assert.True(stats.GetProperty("min").GetDouble() <= stats.GetProperty("avg").GetDouble(), stats.GetRawText());
                Assert.True(stats.GetProperty("avg").GetDouble() <= stats.GetProperty("max").GetDouble(), stats.GetRawText());
            }
        });
    }

    [Theory]
    [InlineData("", "raw")]
    [InlineData("resolution=auto", "raw")]
    [InlineData("from={-3d}", "5m")]
    [InlineData("from={-20d}", "1h")]
    [InlineData("from={-1000d}&to={-999d}", "1h")]
    public async Task Auto_resolution_is_the_finest_tier_that_holds_the_range_in_a_thousand_points(string query, string expected)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/history?{Times(query)}");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(expected, body.GetProperty("resolution").GetString());
    }

    [Theory]
    [InlineData("from=yesterday", "VALIDATION_FAILED", "from")]
    [InlineData("to=2024-13-45T99:00:00Z", "VALIDATION_FAILED", "to")]
    [InlineData("from=2024-01-15T10:00:00Z&to=2024-01-15T10:00:00Z", "INVALID_RANGE", "from")]
    [InlineData("from=2024-01-15T11:00:00Z&to=2024-01-15T10:00:00Z", "INVALID_RANGE", "from")]
    [InlineData("to=0001-01-01T00:00:00Z", "INVALID_RANGE", "from")]
    [InlineData("resolution=2m", "UNKNOWN_RESOLUTION", "resolution")]
    [InlineData("resolution=1m&from={-8d}", "TOO_MANY_POINTS", "resolution")]
    public async Task Bad_history_queries_are_400_in_the_envelope(string query, string code, string field)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/history?{Times(query)}");
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, code);
        Assert.True(body.GetProperty("details").TryGetProperty(field, out _), body.GetRawText());
    }

    [Fact]
    public async Task Too_many_points_says_which_resolution_fits()
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/history?{Times("resolution=1m&from={-8d}")}");
        var body = await response.ErrorAsync(HttpStatusCode.BadRequest, "TOO_MANY_POINTS");
        Assert.Equal("5m", body.GetProperty("details").GetProperty("fits").GetString());
        Assert.Contains("5m", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_and_its_export_need_history_read_beside_metrics_read()
    {
        using (var role = await shared.Admin.PostJsonAsync("/api/v1/roles", new { name = "Live only", permissions = new[] { "metrics:read" } }))
            await role.JsonAsync(HttpStatusCode.Created);
        using (var role = await shared.Admin.PostJsonAsync("/api/v1/roles", new { name = "Live and past", permissions = new[] { "metrics:read", "history:read" } }))
            await role.JsonAsync(HttpStatusCode.Created);
        foreach (var (username, role) in new[] { ("live-only", "live-only"), ("live-and-past", "live-and-past") })
        {
            using var user = await shared.Admin.PostJsonAsync("/api/v1/users", new { username, password = "watcher-password", roles = new[] { role } });
            await user.JsonAsync(HttpStatusCode.Created);
        }
        await WaitForHistoryAsync(shared.Admin, "resolution=raw", 1);

        using var live = await shared.Host.LoginAsync("live-only", "watcher-password");
        using (var history = await live.GetAsync("/api/v1/history"))
            await history.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        using (var export = await live.GetAsync("/api/v1/export/metrics?format=csv&resolution=raw"))
            await export.ErrorAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        using (var current = await live.GetAsync("/api/v1/export/metrics?format=json"))
            Assert.Equal(HttpStatusCode.OK, current.StatusCode);

        using var past = await shared.Host.LoginAsync("live-and-past", "watcher-password");
        using (var history = await past.GetAsync("/api/v1/history"))
            await history.JsonAsync(HttpStatusCode.OK);
        using (var export = await past.GetAsync("/api/v1/export/metrics?format=csv&resolution=raw"))
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
    }

    [Fact]
    public async Task History_of_an_unknown_agent_is_404()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/history?agent_id=ghost");
        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    [Fact]
    public async Task History_exports_as_csv_with_a_column_per_series()
    {
        await WaitForHistoryAsync(shared.Admin, "resolution=raw", 2);
        var range = Times("from={-1h}&to={+0h}");
        using var json = await shared.Admin.GetAsync($"/api/v1/history?resolution=raw&{range}");
        var points = (await json.JsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

        using var response = await shared.Admin.GetAsync($"/api/v1/export/metrics?format=csv&resolution=raw&{range}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        using var csv = CsvReader.Create(new StringReader(await response.Content.ReadAsStringAsync()));
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in csv)
        {
            var fields = new Dictionary<string, string>();
            for (var i = 0; i < csv.Headers.Count; i++)
                fields[csv.Headers[i]] = row.GetString(i);
            rows.Add(fields);
        }

        Assert.Equal(["timestamp", "samples", "cpu.avg", "cpu.min", "cpu.max"], csv.Headers.Take(5));
        Assert.Contains("mounts./.avg", csv.Headers);
        Assert.Contains("load.fifteen.max", csv.Headers);
        Assert.Equal(points.Count, rows.Count);
        foreach (var (point, row) in points.Zip(rows))
        {
            Assert.Equal(point.GetProperty("timestamp").GetDateTime(), DateTime.Parse(row["timestamp"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
            Assert.Equal(point.GetProperty("cpu").GetProperty("avg").GetDouble(), double.Parse(row["cpu.avg"], CultureInfo.InvariantCulture));
            Assert.Equal(point.GetProperty("mounts").GetProperty("/").GetProperty("max").GetDouble(), double.Parse(row["mounts./.max"], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task History_exports_as_json_in_the_shape_of_the_history_answer()
    {
        await WaitForHistoryAsync(shared.Admin, "resolution=1m", 1);
        using var response = await shared.Admin.GetAsync("/api/v1/export/metrics?format=json&resolution=1m");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("1m", body.GetProperty("resolution").GetString());
        Assert.NotEmpty(body.GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("format=csv&from=not-a-time", "VALIDATION_FAILED")]
    [InlineData("format=csv&resolution=10s", "UNKNOWN_RESOLUTION")]
    [InlineData("format=json&from=2024-01-15T11:00:00Z&to=2024-01-15T10:00:00Z", "INVALID_RANGE")]
    public async Task Bad_history_exports_are_400_in_the_envelope(string query, string code)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/export/metrics?{query}");
        await response.ErrorAsync(HttpStatusCode.BadRequest, code);
    }

    /// <summary>Polls history until it holds at least <paramref name="points"/> points; a fresh host needs a few ticks.</summary>
    public static Task<JsonElement> WaitForHistoryAsync(HttpClient client, string query, int points) =>
        Poll.ForAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/api/v1/history?{query}");
                return await response.JsonAsync(HttpStatusCode.OK);
            },
            body => body.GetProperty("data").GetArrayLength() >= points,
            $"history for '{query}' holds {points} points",
            TimeSpan.FromSeconds(30));

    /// <summary>Replaces <c>{-3d}</c>, <c>{+0h}</c> and the like with ISO times relative to now.</summary>
    private static string Times(string query)
    {
        var now = DateTime.UtcNow;
        foreach (var token in query.Split('{', '}').Where(t => t.Length > 1 && t[0] is '-' or '+'))
        {
            var amount = int.Parse(token[..^1], CultureInfo.InvariantCulture);
            var time = token[^1] == 'd' ? now.AddDays(amount) : now.AddHours(amount);
            query = query.Replace($"{{{token}}}", Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture)), StringComparison.Ordinal);
        }
        return query;
    }
}
