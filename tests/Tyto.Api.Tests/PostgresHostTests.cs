using System.Net;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

/// <summary>The real server with <c>Tyto:Database:Provider=postgres</c>, on a fresh database of the test run's PostgreSQL server.</summary>
public sealed class PostgresHostTests
{
    [Fact]
    public async Task A_server_on_PostgreSQL_serves_users_history_and_logs_and_keeps_them_across_a_restart()
    {
        using var database = PostgresServer.CreateDatabase();
        var folder = Directory.CreateTempSubdirectory("tyto-logs-").FullName;
        var dataDir = TytoHost.NewDataDir();
        var file = Path.Combine(folder, "app.log");
        string[] settings =
        [
            "--Tyto:Database:Provider=postgres",
            $"--Tyto:Database:ConnectionString={database.ConnectionString}",
            $"--Tyto:Logs:Files:0={folder}/*.log",
        ];
        try
        {
            await File.WriteAllTextAsync(file, "");
            int points;
            await using (var first = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await first.LoginAsync();
                using (var user = await admin.PostJsonAsync("/api/v1/users", new { username = "watcher", password = "watcher-password", roles = new[] { "viewer" } }))
                    await user.JsonAsync(HttpStatusCode.Created);
                await WatchedFiles.WarmUpAsync(admin, file);
                await File.AppendAllTextAsync(file, "disk quota exceeded on /srv/data\n");

                Assert.Equal(["disk quota exceeded on /srv/data"], await Poll.ForAsync(() => SearchAsync(admin), found => found.Count > 0, "the line is found"));
                points = await Poll.ForAsync(() => RawPointsAsync(admin), count => count >= 2, "the local host's history has samples", TimeSpan.FromSeconds(60));
            }

            await using (var second = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await second.LoginAsync();
                using (var list = await admin.GetAsync("/api/v1/users"))
                {
                    var users = (await list.JsonAsync(HttpStatusCode.OK)).GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString());
                    Assert.Equal(["admin", "watcher"], users.Order(StringComparer.Ordinal));
                }
                await second.TokenAsync("watcher", "watcher-password");
                Assert.Equal(["disk quota exceeded on /srv/data"], await SearchAsync(admin));
                Assert.True(await RawPointsAsync(admin) >= points);
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The messages a full-text search with a prefix finds among the local host's file lines.</summary>
    private static async Task<List<string>> SearchAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("/api/v1/logs?agent_id=local&source=file&q=quota%20exceed*");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
    }

    private static async Task<int> RawPointsAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("/api/v1/history?agent_id=local&resolution=raw");
        return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength();
    }
}
