using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Actors.Logs;
using Tyto.Actors.Tests;
using Tyto.Actors.Tests.Collection;
using Tyto.Actors.Tests.Logs;

namespace Tyto.Api.Tests;

/// <summary>
/// No line lost and none twice across a restart of the server, for each kind of log source: lines written while it
/// runs, just before it stops (read or not by then), while it is down and after it started again on the same data
/// directory are each found once, in the order they were written.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LogRestartTests
{
    private const string DevboxId = "41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475";
    private const string DnsId = "2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c";

    [Fact]
    public async Task A_watched_files_lines_are_each_found_once_across_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("tyto-logs-").FullName;
        var dataDir = TytoHost.NewDataDir();
        try
        {
            var file = Path.Combine(folder, "app.log");
            var appeared = Path.Combine(folder, "appeared.log");
            var ofFile = $"file&source_name={Uri.EscapeDataString(file)}";
            await File.WriteAllTextAsync(file, "");
            var settings = $"--Tyto:Logs:Files:0={folder}/*.log";
            await using (var first = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await first.LoginAsync();
                await WatchedFiles.WarmUpAsync(admin, file);
                await File.AppendAllTextAsync(file, "before 1\nbefore 2\n");
                await FoundAsync(admin, ofFile, "before 2");
                await File.AppendAllTextAsync(file, "before 3\n");
            }
            await File.AppendAllTextAsync(file, "down 1\ndown 2\n");
            // A file that appears while the server is down (a new day's log, say) is new: all of it was written since.
            await File.WriteAllTextAsync(appeared, "appeared 1\n");
            await using (var second = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await second.LoginAsync();
                await File.AppendAllTextAsync(file, "after 1\n");
                await File.AppendAllTextAsync(appeared, "appeared 2\n");

                var found = await FoundAsync(admin, ofFile, "after 1");
                Assert.Equal(
                    ["before 1", "before 2", "before 3", "down 1", "down 2", "after 1"],
                    found.Where(m => !m.StartsWith("warming up", StringComparison.Ordinal)));
                Assert.Equal(["appeared 1", "appeared 2"], await FoundAsync(admin, $"file&source_name={Uri.EscapeDataString(appeared)}", "appeared 2"));
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_nothing_was_read_from_before_the_stop_is_read_on_from_where_it_was_followed()
    {
        var folder = Directory.CreateTempSubdirectory("tyto-logs-").FullName;
        var dataDir = TytoHost.NewDataDir();
        try
        {
            var file = Path.Combine(folder, "app.log");
            await File.WriteAllTextAsync(file, "there before the server\n");
            var settings = $"--Tyto:Logs:Files:0={folder}/*.log";
            await using (var first = await TytoHost.StartAsync(dataDir, settings))
            {
                var store = first.App.Services.GetRequiredService<LogStore>();
                await Poll.UntilAsync(async () => await store.PositionAsync("local", "file") is not null, "where the file is followed from is stored");
            }
            await File.AppendAllTextAsync(file, "down 1\n");
            await using (var second = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await second.LoginAsync();
                await File.AppendAllTextAsync(file, "after 1\n");

                Assert.Equal(["down 1", "after 1"], await FoundAsync(admin, "file", "after 1"));
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Journal_entries_are_each_found_once_across_a_restart()
    {
        using var journal = new FakeJournalctl().Install();
        // The host root the journal is found under: the captured host, for the collectors, with a journal file.
        CopyTree(Path.Combine(AppContext.BaseDirectory, "fixtures", "host-vm"), journal.Root.Path);
        var dataDir = TytoHost.NewDataDir();
        // The entries are dated like the recording (2024): kept however old.
        string[] settings = [$"--Tyto:Logs:Journalctl={journal.Executable}", $"--Tyto:Collection:RootPath={journal.Root.Path}", "--Tyto:Logs:Retention=36500.00:00:00"];
        try
        {
            await using (var first = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await first.LoginAsync();
                // The first start follows from now: the recorded entries are not read.
                await Poll.UntilAsync(() => journal.Starts.Count == 1, "journalctl is started");
                journal.Append(FakeJournalctl.Entry(1, "before 1"), FakeJournalctl.Entry(2, "before 2"));
                await FoundAsync(admin, "journal", "before 2");
                journal.Append(FakeJournalctl.Entry(3, "before 3"));
            }
            journal.Append(FakeJournalctl.Entry(4, "down 1"), FakeJournalctl.Entry(5, "down 2"));
            await using (var second = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await second.LoginAsync();
                await Poll.UntilAsync(() => journal.Starts.Count == 2, "journalctl is started again");
                Assert.Contains("--after-cursor=", journal.Arguments(1), StringComparison.Ordinal);
                journal.Append(FakeJournalctl.Entry(6, "after 1"));

                var found = await FoundAsync(admin, "journal", "after 1");
                Assert.Equal(["before 1", "before 2", "before 3", "down 1", "down 2", "after 1"], found);
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Container_lines_are_each_found_once_across_a_restart_also_those_of_the_same_second(bool sinceInWholeSeconds)
    {
        var directory = Directory.CreateTempSubdirectory("tyto-docker-logs-").FullName;
        var dataDir = TytoHost.NewDataDir();
        try
        {
            await using var engine = await FakeDockerEngine.StartAsync(Path.Combine(directory, "docker.sock"));
            engine.SinceInWholeSeconds = sinceInWholeSeconds;
            engine.Stats[DevboxId] = FakeDockerEngine.Recorded("stats-devbox.json");
            engine.Stats[DnsId] = FakeDockerEngine.Recorded("stats-devbox_dns.json");
            engine.Logs[DevboxId] = FakeContainerLog.Recorded("redis.multiplexed", "2015-06-25T18:10:22.61302513Z");
            engine.Logs[DnsId] = FakeContainerLog.FromJsonFile("spark-json.log", tty: false, "2018-03-09T03:17:06.5Z");
            var devbox = engine.Logs[DevboxId];
            var settings = $"--Tyto:Docker:Socket={engine.Socket}";
            long at;
            await using (var first = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await first.LoginAsync();
                // The first start follows running containers from now: what they logged before is not read.
                await Poll.UntilAsync(
                    () => engine.Requests.Any(r => r.StartsWith($"/containers/{DevboxId}/logs?follow=1", StringComparison.Ordinal)),
                    "devbox's logs are followed");
                // Every line within one second, some in one nanosecond: the engine's since includes its time (and
                // may count in whole seconds), so a restart is sent lines read before, and only those not read count.
                at = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
                devbox.Append("stdout", "before 1\n", at + 1);
                devbox.Append("stdout", "before 2\n", at + 2);
                devbox.Append("stderr", "before 3\n", at + 2);
                await FoundAsync(admin, "docker", "before 3");
                devbox.Append("stdout", "before 4\n", at + 3);
            }
            devbox.Append("stdout", "down 1\n", at + 3);
            devbox.Append("stderr", "down 2\n", at + 4);
            await using (var second = await TytoHost.StartAsync(dataDir, settings))
            {
                using var admin = await second.LoginAsync();
                devbox.Append("stdout", "after 1\n", at + 5);

                var found = await FoundAsync(admin, "docker", "after 1");
                Assert.Equal(["before 1", "before 2", "before 3", "before 4", "down 1", "down 2", "after 1"], found);
            }
        }
        finally
        {
            TytoHost.DeleteDataDir(dataDir);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The messages of the source's entries, oldest first, once the one the test wrote last is among them: whatever
    /// came twice or was read again came before it. <paramref name="source"/> may go on with more of the query.
    /// </summary>
    private static async Task<List<string>> FoundAsync(HttpClient admin, string source, string last)
    {
        var messages = await Poll.ForAsync(() => MessagesAsync(admin, source), m => m.Contains(last), $"'{last}' is found");
        messages.Reverse();
        return messages;
    }

    /// <summary>The messages of the source's entries, newest first.</summary>
    private static async Task<List<string>> MessagesAsync(HttpClient admin, string source)
    {
        using var response = await admin.GetAsync($"/api/v1/logs?agent_id=local&source={source}&limit=1000");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }
}
