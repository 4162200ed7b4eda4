using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Tests.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class DockerLogReaderTests : IAsyncLifetime
{
    // The containers of the recorded list (tests/fixtures/docker-engine/containers.json): two running, one exited.
    private const string DnsId = "2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c";
    private const string DevboxId = "41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475";
    private const string MongoId = "24e1475cc5ae7d57f483e9624a80676b2c4e08e4f5c4522e4fb35b056672bf56";

    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-docker-logs-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero));
    private FakeDockerEngine _engine = null!;

    private string SocketPath => Path.Combine(_directory, "docker.sock");

    /// <summary>The engine's time now, for lines written after the reader started.</summary>
    private long Now => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    public async Task InitializeAsync()
    {
        _engine = await FakeDockerEngine.StartAsync(SocketPath);
        // devbox logs what the redis recording holds (stdout only); devbox_dns what the spark one holds (stdout and stderr).
        _engine.Logs[DevboxId] = FakeContainerLog.Recorded("redis.multiplexed", "2015-06-25T18:10:22.61302513Z");
        _engine.Logs[DnsId] = FakeContainerLog.FromJsonFile("spark-json.log", tty: false, "2018-03-09T03:17:06.5Z");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Recorded_logs_are_entries_with_the_engines_time_the_container_and_a_level_from_the_line_or_the_stream()
    {
        using var reader = Reader(Position((DevboxId, "2015-06-25T18:10:22Z", 0), (DnsId, "2018-03-09T03:17:00Z", 0)));

        var entries = await ReadUntilAsync(reader, 18);

        var redis = entries.Where(e => e.SourceName == "devbox").ToList();
        Assert.Equal(6, redis.Count);
        Assert.Equal(
            new DateTime(2015, 6, 25, 18, 10, 22, DateTimeKind.Utc).AddTicks(9162427),
            redis[0].Timestamp);
        Assert.Equal(LogSourceKind.Docker, redis[0].Source);
        // "# Warning:" names its level; the logo names none, on stdout: info.
        Assert.Equal([LogSeverity.Warning, .. Enumerable.Repeat(LogSeverity.Info, 5)], redis.Select(e => e.Level));
        Assert.Equal(
            new Dictionary<string, string> { ["container_id"] = "41833a61eecb", ["image"] = "gitea.ts.millim.no/millim/webhost:2.2.0-a7", ["stream"] = "stdout" },
            redis[0].Fields);

        var spark = entries.Where(e => e.SourceName == "devbox_dns").ToList();
        Assert.Equal(12, spark.Count);
        Assert.Equal("++ id -u", spark[0].Message);
        // Shell traces on stderr name no level: error. Log4j's own WARN and INFO on stdout.
        Assert.Equal(
            [.. Enumerable.Repeat(LogSeverity.Error, 8), LogSeverity.Info, LogSeverity.Warning, LogSeverity.Warning, LogSeverity.Info],
            spark.Select(e => e.Level));
        Assert.Equal("stderr", spark[0].Fields["stream"]);
        Assert.Equal("2d1ab9546a4f", spark[0].Fields["container_id"]);
        Assert.Equal(spark.OrderBy(e => e.Timestamp), spark);

        // From the stored marks, to the nanosecond; the exited container is not read.
        Assert.Contains($"/containers/{DevboxId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=1435255822.000000000", _engine.Requests);
        Assert.DoesNotContain(_engine.Requests, r => r.Contains(MongoId, StringComparison.Ordinal));
        Assert.Null(reader.Problem);
    }

    [Fact]
    public async Task A_stderr_line_that_names_its_level_keeps_it()
    {
        using var reader = Reader(null);
        await FollowingAsync(reader, 2);

        _engine.Logs[DnsId].Append("stderr", "time=\"2026-12-01T21:00:01Z\" level=info msg=\"listening on :53\"\n", Now + 1);
        _engine.Logs[DnsId].Append("stderr", "dnsmasq: failed to create listening socket for port 53: Address in use\n", Now + 2);

        var entries = await ReadUntilAsync(reader, 2);
        Assert.Equal([LogSeverity.Info, LogSeverity.Error], entries.Select(e => e.Level));
    }

    [Fact]
    public async Task A_first_start_follows_running_containers_from_now_and_one_that_starts_later_from_its_start()
    {
        using var reader = Reader(null);
        await FollowingAsync(reader, 2);
        var since = $"since={_time.GetUtcNow().ToUnixTimeSeconds()}.000000000";
        Assert.Contains($"/containers/{DevboxId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&{since}", _engine.Requests);
        Assert.Contains($"/containers/{DnsId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&{since}", _engine.Requests);

        // The mongo container starts, with a TTY; the next refresh picks it up from its start.
        _engine.Logs[MongoId] = FakeContainerLog.FromJsonFile("tty-json.log", tty: true, "2013-07-15T15:45:35.3Z");
        _engine.Containers = Listed((MongoId, "running"));
        _engine.Logs[DevboxId].Append("stdout", "1:M 01 Dec 21:00:01.000 * DB saved on disk\n", Now + 1);
        _time.Advance(Refresh);

        var entries = await ReadUntilAsync(reader, 8);
        Assert.Equal(["1:M 01 Dec 21:00:01.000 * DB saved on disk"], entries.Where(e => e.SourceName == "devbox").Select(e => e.Message));
        var mongo = entries.Where(e => e.SourceName == "ozwillo-mongo-2").ToList();
        Assert.Equal(
            [
                "root@95701614e3b6:/# ls",
                "bin  boot  dev\tetc  home  lib\tlib64  media  mnt  opt\tproc  root  run  sbin  selinux\tsrv  sys  tmp  usr  var",
                "root@95701614e3b6:/# pwd",
                "/",
                "root@95701614e3b6:/# ls",
                "bin  boot  dev\tetc  home  lib\tlib64  media  mnt  opt\tproc  root  run  sbin  selinux\tsrv  sys  tmp  usr  var",
                "root@95701614e3b6:/# exit",
            ],
            mongo.Select(e => e.Message));
        Assert.All(mongo, e => Assert.Equal("stdout", e.Fields["stream"]));
        Assert.Contains($"/containers/{MongoId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=1373903135.300000000", _engine.Requests);
    }

    [Fact]
    public async Task A_container_that_stops_is_let_go_after_its_last_lines()
    {
        using var reader = Reader(null);
        await FollowingAsync(reader, 2);

        _engine.Logs[DevboxId].Append("stdout", "1:signal-handler (1796158801) Received SIGTERM scheduling shutdown...\n", Now + 1);
        _engine.Logs[DevboxId].Stop();
        _engine.Containers = Listed((DevboxId, "exited"));

        Assert.Equal(["1:signal-handler (1796158801) Received SIGTERM scheduling shutdown..."], (await ReadUntilAsync(reader, 1)).Select(e => e.Message));
        await Poll.UntilAsync(() => _engine.OpenLogs == 1, "the stopped container's response ended");
        Assert.Contains(DevboxId, reader.Read(10).Position, StringComparison.Ordinal);

        _time.Advance(Refresh);
        await Poll.UntilAsync(() => !reader.Read(10).Position!.Contains(DevboxId, StringComparison.Ordinal), "the stopped container was let go");
        Assert.Contains(DnsId, reader.Read(10).Position, StringComparison.Ordinal);
        Assert.Single(_engine.Requests, r => r.StartsWith($"/containers/{DevboxId}/logs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_response_that_ends_while_its_container_runs_is_taken_up_again_after_the_last_line_read()
    {
        using var reader = Reader(null);
        await FollowingAsync(reader, 2);
        var at = Now + 1;
        _engine.Logs[DevboxId].Append("stdout", "1:M 01 Dec 21:00:01.000 * before the engine restarts\n", at);
        await ReadUntilAsync(reader, 1);

        _engine.Logs[DevboxId].RestartEngine();
        await Poll.UntilAsync(() => _engine.OpenLogs == 1, "the response ended");
        // Written in the same nanosecond as the line read before.
        _engine.Logs[DevboxId].Append("stdout", "1:M 01 Dec 21:00:01.000 * while the engine restarted\n", at);
        _time.Advance(Refresh);

        Assert.Equal(["1:M 01 Dec 21:00:01.000 * while the engine restarted"], (await ReadUntilAsync(reader, 1)).Select(e => e.Message));
        Assert.Equal(2, _engine.OpenLogs);
        Assert.Equal(
            $"/containers/{DevboxId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=1796158800.000000001",
            _engine.Requests.Last(r => r.StartsWith($"/containers/{DevboxId}/logs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Resuming_from_a_position_reads_every_later_line_once_also_lines_sharing_a_nanosecond()
    {
        _engine.Containers = Listed((DevboxId, "exited"));
        var log = _engine.Logs[DnsId];
        var shared = FakeContainerLog.Nanos("2018-03-09T03:17:12.000000001Z");
        // The parts of a line longer than the engine's buffer, then two more lines, all at the same nanosecond.
        log.Append("stdout", "part one ", shared);
        log.Append("stdout", "and two\n", shared);
        log.Append("stdout", "second at that time\n", shared);
        log.Append("stdout", "third at that time\n", shared);
        var first = Reader(Position((DnsId, "2018-03-09T03:17:00Z", 0)));
        List<LogEntry> read = [];
        string? position = null;
        try
        {
            // The server stores one entry at a time, and stops having stored the second line of that nanosecond.
            await Poll.UntilAsync(
                () =>
                {
                    var batch = first.Read(1);
                    read.AddRange(batch.Entries);
                    position = batch.Position;
                    return read.Any(e => e.Message == "second at that time");
                },
                "the second line at the shared nanosecond was read");
        }
        finally
        {
            first.Dispose();
        }
        Assert.Equal("part one and two", Assert.Single(read, e => e.Message.StartsWith("part", StringComparison.Ordinal)).Message);
        log.Append("stdout", "after the restart\n", shared + 1);

        using var second = Reader(position);
        var resumed = await ReadUntilAsync(second, 2);

        Assert.Equal(["third at that time", "after the restart"], resumed.Select(e => e.Message));
        Assert.Equal(14, read.Count);
        Assert.Contains($"/containers/{DnsId}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=1520565432.000000001", _engine.Requests);
    }

    [Fact]
    public async Task A_container_whose_logs_the_engine_cannot_read_back_is_reported_and_the_others_read()
    {
        // A container with the none (or a remote) logging driver.
        _engine.Logs[DnsId].Unreadable = "configured logging driver does not support reading";
        using var reader = Reader(null);
        await Poll.UntilAsync(() => reader.Read(0).Entries.Count == 0 && reader.Problem is not null && _engine.OpenLogs == 1, "the refusal was reported");

        _engine.Logs[DevboxId].Append("stdout", "1:M 01 Dec 21:00:01.000 * Background saving started\n", Now + 1);

        Assert.Equal(["1:M 01 Dec 21:00:01.000 * Background saving started"], (await ReadUntilAsync(reader, 1)).Select(e => e.Message));
        Assert.Equal("The logs of devbox_dns cannot be read: configured logging driver does not support reading", reader.Problem);
    }

    [Fact]
    public async Task Lines_longer_than_the_limit_are_cut_and_marked()
    {
        _engine.Containers = Listed((DevboxId, "exited"));
        using var reader = Reader(Position((DnsId, "2018-03-09T03:17:00Z", 0)), maxLineBytes: 256);

        var entries = await ReadUntilAsync(reader, 12);

        var tini = Assert.Single(entries, e => e.Fields.ContainsKey("truncated"));
        Assert.StartsWith("+ /sbin/tini -s -- /bin/sh -c 'SPARK_CLASSPATH=", tini.Message, StringComparison.Ordinal);
        Assert.Equal(256, tini.Message.Length);
        Assert.Equal("true", tini.Fields["truncated"]);
    }

    [Fact]
    public async Task A_missing_engine_is_reported_and_its_containers_followed_once_it_is_there()
    {
        var socket = Path.Combine(_directory, "later.sock");
        using var reader = new DockerLogReader(socket, TimeSpan.FromSeconds(5), Refresh, 16384, null, _time);

        await Poll.UntilAsync(() => reader.Read(10).Entries.Count == 0 && reader.Problem is not null, "the missing socket was reported");
        Assert.Equal($"No Docker socket at {socket}", reader.Problem);
        Assert.Null(reader.Read(10).Position);

        await using var engine = await FakeDockerEngine.StartAsync(socket);
        engine.Logs[DevboxId] = FakeContainerLog.Recorded("redis.multiplexed", "2015-06-25T18:10:22.61302513Z");
        engine.Logs[DnsId] = FakeContainerLog.FromJsonFile("spark-json.log", tty: false, "2018-03-09T03:17:06.5Z");
        _time.Advance(Refresh);
        await Poll.UntilAsync(() => reader.Read(10).Entries.Count == 0 && engine.OpenLogs == 2, "both running containers are followed");
        Assert.Null(reader.Problem);
    }

    [Fact]
    public async Task Disposing_ends_the_background_reads()
    {
        var reader = Reader(null);
        await FollowingAsync(reader, 2);

        reader.Dispose();

        await Poll.UntilAsync(() => _engine.OpenLogs == 0, "the log responses were closed");
        _engine.Logs[DevboxId].Append("stdout", "after the reader was disposed\n", Now + 1);
        var after = reader.Read(10);
        Assert.Empty(after.Entries);
        Assert.False(after.More);
    }

    private DockerLogReader Reader(string? position, int maxLineBytes = 16384) =>
        new(SocketPath, TimeSpan.FromSeconds(5), Refresh, maxLineBytes, position, _time);

    private static string Position(params (string Id, string Time, int Lines)[] marks) =>
        DockerLogPosition.Format(marks.ToDictionary(m => m.Id, m => new DockerLogMark(FakeContainerLog.Nanos(m.Time), m.Lines)));

    /// <summary>The recorded container list with the states given changed.</summary>
    private static string Listed(params (string Id, string State)[] states)
    {
        var list = JsonNode.Parse(FakeDockerEngine.Recording("containers.json"))!.AsArray();
        foreach (var container in list)
        {
            foreach (var changed in states.Where(s => s.Id == (string)container!["Id"]!))
                container!["State"] = changed.State;
        }
        return list.ToJsonString();
    }

    /// <summary>Reads until the engine has <paramref name="responses"/> log responses open.</summary>
    private Task FollowingAsync(DockerLogReader reader, int responses) =>
        Poll.UntilAsync(() => reader.Read(0).Entries.Count == 0 && _engine.OpenLogs == responses, $"{responses} containers are followed");

    /// <summary>Reads, a few entries at a time, until <paramref name="count"/> entries came; then checks none more is waiting.</summary>
    private static async Task<List<LogEntry>> ReadUntilAsync(DockerLogReader reader, int count)
    {
        var entries = new List<LogEntry>();
        await Poll.UntilAsync(
            () =>
            {
                entries.AddRange(reader.Read(3).Entries);
                return entries.Count >= count;
            },
            $"{count} entries were read");
        Assert.Equal(count, entries.Count);
        return entries;
    }
}
