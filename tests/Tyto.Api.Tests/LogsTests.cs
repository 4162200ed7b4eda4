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
    public async Task A_line_appended_to_a_watched_file_is_found_by_the_search_and_arrives_on_the_live_stream()
    {
        var folder = Directory.CreateTempSubdirectory("tyto-logs-").FullName;
        try
        {
            var file = Path.Combine(folder, "app.log");
            await File.WriteAllTextAsync(file, "there before the server\n");
            await using var host = await TytoHost.StartAsync(null, $"--Tyto:Logs:Files:0={folder}/*.log");
            using var admin = await host.LoginAsync();
            await WatchedFiles.WarmUpAsync(admin, file);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var stream = await SseReader.OpenAsync(
                host.Client, $"/api/v1/logs/stream?source=file&level=error,crit&q=quota&access_token={await host.TokenAsync()}", deadline.Token);
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

            await File.AppendAllTextAsync(file, "INFO quota checked, nothing to do\nlevel=error msg=\"disk quota exceeded for tenant 42\"\n");

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
            var live = await stream.NextOfTypeAsync("log", deadline.Token);
            Assert.True(JsonElement.DeepEquals(entry, live), $"{entry} was searched, {live} streamed");
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

    public static TheoryData<string, string, string> BadParameters()
    {
        (string Query, string Parameter)[] bad =
        [
            ("source=syslog", "source"),
            ("level=error,warn", "level"),
            ("q=%22unclosed", "q"),
            ("q=*", "q"),
            ("from=yesterday", "from"),
            ("to=2026-13-01T00:00:00Z", "to"),
            ("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=ten", "limit"),
            ("offset=-1", "offset"),
        ];
        var data = new TheoryData<string, string, string>();
        foreach (var path in Paths)
        {
            foreach (var (query, parameter) in bad)
                data.Add(path, query, parameter);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task A_bad_parameter_is_refused_naming_it(string path, string query, string parameter)
    {
        using var response = await shared.Admin.GetAsync($"{path}?{query}");

        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "VALIDATION_FAILED");
        Assert.True(error.GetProperty("details").TryGetProperty(parameter, out _), error.GetRawText());
    }

    [Theory]
    [MemberData(nameof(EachPath))]
    public async Task An_unknown_agent_is_not_found(string path)
    {
        using var response = await shared.Admin.GetAsync($"{path}?agent_id=no-such-host");

        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    public static TheoryData<string> EachPath() => [.. Paths];

    private static readonly string[] Paths = ["/api/v1/logs", "/api/v1/logs/stream"];

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
