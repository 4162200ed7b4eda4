using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Actors.Logs;
using Tyto.Actors.Tests;
using Tyto.Collection.Logs;

namespace Tyto.Api.Tests;

public sealed class LogsTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private static readonly DateTime At = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_line_appended_to_a_watched_file_is_found_by_the_search()
    {
        var folder = Directory.CreateTempSubdirectory("tyto-logs-").FullName;
        try
        {
            var file = Path.Combine(folder, "app.log");
            await File.WriteAllTextAsync(file, "there before the server\n");
            await using var host = await TytoHost.StartAsync(null, $"--Tyto:Logs:Files:0={folder}/*.log");
            using var admin = await host.LoginAsync();
            // A file there at the server's first read is followed from its end: append until the source has seen it.
            var attempt = 0;
            await Poll.ForAsync(
                async () =>
                {
                    await File.AppendAllTextAsync(file, $"warming up {++attempt}\n");
                    return await Messages(admin, "/api/v1/logs?source=file");
                },
                messages => messages.Count > 0,
                "the file source reads the file");

            await File.AppendAllTextAsync(file, "level=error msg=\"disk quota exceeded for tenant 42\"\n");

            var body = await Poll.ForAsync(
                () => Json(admin, "/api/v1/logs?q=quota%20tenant&agent_id=local"),
                b => b.GetProperty("total").GetInt32() == 1,
                "the new line is found");
            var entry = body.GetProperty("entries")[0];
            Assert.StartsWith("log-", entry.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal("local", entry.GetProperty("agent_id").GetString());
            Assert.Equal("file", entry.GetProperty("source").GetString());
            Assert.Equal(file, entry.GetProperty("source_name").GetString());
            Assert.Equal("error", entry.GetProperty("level").GetString());
            Assert.Equal("level=error msg=\"disk quota exceeded for tenant 42\"", entry.GetProperty("message").GetString());
            Assert.Equal(JsonValueKind.Object, entry.GetProperty("fields").ValueKind);
            Assert.DoesNotContain("there before the server", await Messages(admin, "/api/v1/logs?limit=1000"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Every_filter_narrows_the_search_and_pages_come_newest_first_with_the_exact_total()
    {
        var marker = $"m{Guid.NewGuid():N}";
        await shared.Host.App.Services.GetRequiredService<LogStore>().WriteAsync(
        [
            new LogBatch("local", "journal", [
                Entry(0, LogSourceKind.Journal, "nginx.service", LogSeverity.Error, $"{marker} upstream timed out"),
                Entry(1, LogSourceKind.Journal, "nginx.service", LogSeverity.Warning, $"{marker} upstream slow"),
                Entry(2, LogSourceKind.Journal, "sshd.service", LogSeverity.Info, $"{marker} accepted publickey"),
            ], null, null),
            new LogBatch("local", "docker", [Entry(3, LogSourceKind.Docker, "web", LogSeverity.Error, $"{marker} connection refused")], null, null),
        ]);
        var all = $"/api/v1/logs?q={marker}";

        Assert.Equal([$"{marker} connection refused", $"{marker} accepted publickey", $"{marker} upstream slow", $"{marker} upstream timed out"], await Messages(shared.Admin, all));
        Assert.Equal(3, (await Messages(shared.Admin, $"{all}&source=journal")).Count);
        Assert.Equal([$"{marker} upstream slow", $"{marker} upstream timed out"], await Messages(shared.Admin, $"{all}&source_name=nginx.service"));
        Assert.Equal([$"{marker} connection refused", $"{marker} upstream timed out"], await Messages(shared.Admin, $"{all}&level=error,crit"));
        Assert.Equal([$"{marker} upstream timed out"], await Messages(shared.Admin, $"{all}&level=error&source=journal"));
        Assert.Equal([$"{marker} upstream slow", $"{marker} upstream timed out"], await Messages(shared.Admin, $"/api/v1/logs?q=%22{marker}%20upstream%22"));
        Assert.Equal([$"{marker} upstream slow", $"{marker} upstream timed out"], await Messages(shared.Admin, $"{all}%20upstr*"));
        Assert.Equal([$"{marker} accepted publickey", $"{marker} upstream slow"], await Messages(shared.Admin, $"{all}&from=2026-03-01T12:00:01Z&to=2026-03-01T12:00:02Z"));

        var page = await Json(shared.Admin, $"{all}&limit=2&offset=1");
        Assert.Equal(4, page.GetProperty("total").GetInt32());
        Assert.Equal([$"{marker} accepted publickey", $"{marker} upstream slow"], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("source=syslog", "source")]
    [InlineData("level=error,warn", "level")]
    [InlineData("q=%22unclosed", "q")]
    [InlineData("q=*", "q")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("offset=-1", "offset")]
    public async Task A_bad_parameter_is_refused_naming_it(string query, string parameter)
    {
        using var response = await shared.Admin.GetAsync($"/api/v1/logs?{query}");

        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(error.GetProperty("details").TryGetProperty(parameter, out _), error.GetRawText());
    }

    [Fact]
    public async Task An_unknown_agent_is_not_found()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/logs?agent_id=no-such-host");

        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    private static LogEntry Entry(int second, LogSourceKind source, string sourceName, LogSeverity level, string message) =>
        new(At.AddSeconds(second), source, sourceName, level, message, new Dictionary<string, string> { ["pid"] = "42" });

    private static async Task<JsonElement> Json(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await response.JsonAsync(HttpStatusCode.OK);
    }

    private static async Task<List<string>> Messages(HttpClient client, string path) =>
        [.. (await Json(client, path)).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
}
