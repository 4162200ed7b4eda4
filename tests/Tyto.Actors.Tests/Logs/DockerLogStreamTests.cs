using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class DockerLogStreamTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_recorded_multiplexed_body_gives_its_lines_whatever_pieces_it_arrives_in()
    {
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "docker-logs", "redis.multiplexed"));

        var whole = Parse(body, tty: false, body.Length);
        Assert.Equal(6, whole.Count);
        Assert.Equal(
            new DockerLine(
                FakeContainerLog.Nanos("2015-06-25T18:10:22.916242788Z"),
                DockerStream.Stdout,
                "1:C 25 Jun 18:10:22.914 # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf",
                false),
            whole[0]);
        // Redis pads its logo lines with spaces; they are part of the line.
        Assert.Equal("                _._" + new string(' ', 50), whole[1].Text);
        Assert.Equal(" (    '      ,       .-`  | `,    )     Running in standalone mode", whole[5].Text);
        Assert.Equal(FakeContainerLog.Nanos("2015-06-25T18:10:22.922033469Z"), whole[5].Nanos);
        // Headers and lines split anywhere, down to single bytes.
        int[] pieces = [1, 3, 7, 8, 9, 100];
        foreach (var piece in pieces)
            Assert.Equal(whole, Parse(body, tty: false, piece));
    }

    [Fact]
    public void Stdout_and_stderr_frames_keep_their_stream_and_the_engines_time()
    {
        var log = FakeContainerLog.FromJsonFile("spark-json.log", tty: false, "2018-03-09T03:17:06.5Z");

        var lines = Parse(Body(log), tty: false, 5);

        Assert.Equal(12, lines.Count);
        Assert.Equal(new DockerLine(FakeContainerLog.Nanos("2018-03-09T03:17:06.739189441Z"), DockerStream.Stderr, "++ id -u", false), lines[0]);
        // json-file keeps the time without trailing zeros; the engine sends nine digits, read as the same time.
        Assert.Equal(new DockerLine(FakeContainerLog.Nanos("2018-03-09T03:17:06.759845160Z"), DockerStream.Stderr, "++ getent passwd 0", false), lines[4]);
        Assert.Equal(
            new DockerLine(FakeContainerLog.Nanos("2018-03-09T03:17:10.324187101Z"), DockerStream.Stdout, "2018-03-09 03:17:10 INFO  SparkContext:54 - Submitted application: Spark Pi", false),
            lines[11]);
        Assert.Equal(8, lines.Count(l => l.Stream == DockerStream.Stderr));
    }

    [Fact]
    public void A_tty_body_is_raw_lines_without_their_carriage_return()
    {
        var log = FakeContainerLog.FromJsonFile("tty-json.log", tty: true, "2013-07-15T15:45:35.3Z");

        var lines = Parse(Body(log), tty: true, 3);

        Assert.Equal(
            ["root@95701614e3b6:/# ls", "bin  boot  dev\tetc  home  lib\tlib64  media  mnt  opt\tproc  root  run  sbin  selinux\tsrv  sys  tmp  usr  var", "root@95701614e3b6:/# pwd", "/"],
            lines.Take(4).Select(l => l.Text));
        Assert.All(lines, l => Assert.Equal(DockerStream.Stdout, l.Stream));
        Assert.Equal(FakeContainerLog.Nanos("2013-07-15T15:45:38.829474305Z"), lines[^1].Nanos);
    }

    [Fact]
    public void The_parts_of_a_line_longer_than_the_engines_buffer_are_one_line_at_the_first_parts_time()
    {
        var log = FakeContainerLog.FromJsonFile("spark-json.log", tty: false, "2018-03-09T03:17:06.5Z");
        var at = FakeContainerLog.Nanos("2018-03-09T03:17:12.000000001Z");
        // The engine gives every part the first part's time; a stderr line comes in between.
        log.Append("stdout", "a line of ", at);
        log.Append("stderr", "meanwhile on stderr\n", at + 5);
        log.Append("stdout", "two parts\n", at);
        // A frame holding two lines (other engines' drivers) gives both its time.
        log.Append("stdout", "first\nsecond\n", at + 9);

        var lines = Parse(Body(log), tty: false, 4).Skip(12).ToList();

        Assert.Equal(
            [
                new DockerLine(at + 5, DockerStream.Stderr, "meanwhile on stderr", false),
                new DockerLine(at, DockerStream.Stdout, "a line of two parts", false),
                new DockerLine(at + 9, DockerStream.Stdout, "first", false),
                new DockerLine(at + 9, DockerStream.Stdout, "second", false),
            ],
            lines);
    }

    [Fact]
    public void A_line_without_its_newline_when_the_body_ends_is_complete()
    {
        var stream = new DockerLogStream(tty: false, 16384, _time);
        var lines = new List<DockerLine>();
        stream.Feed(Frame(1, "2015-06-25T18:10:22.916242788Z Killed"), lines);
        Assert.Empty(lines);

        stream.Finish(lines);

        Assert.Equal([new DockerLine(FakeContainerLog.Nanos("2015-06-25T18:10:22.916242788Z"), DockerStream.Stdout, "Killed", false)], lines);
    }

    [Fact]
    public void Lines_longer_than_the_limit_are_cut_at_a_character_boundary_and_marked()
    {
        // 255 ASCII bytes, then 'é' (two bytes) straddling the 256-byte limit.
        var text = new string('x', 255) + "é and more";

        var lines = Parse(Frame(2, $"2018-03-09T03:17:06.739189441Z {text}\n"), tty: false, 64, maxLineBytes: 256);

        Assert.Equal([new DockerLine(FakeContainerLog.Nanos("2018-03-09T03:17:06.739189441Z"), DockerStream.Stderr, new string('x', 255), true)], lines);
    }

    [Fact]
    public void What_the_engine_says_on_its_own_error_stream_is_no_line()
    {
        var lines = Parse([.. Frame(3, "Error grabbing logs: invalid character '\\x00' looking for beginning of value\n"), .. Frame(1, "2015-06-25T18:10:22.916242788Z after\n")], tty: false, 2, out var stream);

        Assert.Equal(["after"], lines.Select(l => l.Text));
        Assert.Equal("Error grabbing logs: invalid character '\\x00' looking for beginning of value", stream.EngineError);
    }

    [Fact]
    public void A_line_without_a_timestamp_is_kept_whole_as_read_now()
    {
        // A TTY body asked for without timestamps (ahmetb/dlog#1's hexdump), as from an engine that ignores timestamps=1.
        const string First = "bin   dev  home  lib32\tlibx32\tmnt  proc  run\t srv  tmp  var";
        const string Second = "boot  etc  lib\t lib64\tmedia\topt  root  sbin  sys  usr";
        var lines = Parse(Encoding.UTF8.GetBytes($"{First}\r\n{Second}\r\n"), tty: true, 4);

        var now = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.Equal([new DockerLine(now, DockerStream.Stdout, First, false), new DockerLine(now, DockerStream.Stdout, Second, false)], lines);
    }

    private static byte[] Body(FakeContainerLog log) => [.. log.From(0).Messages.SelectMany(m => m.Bytes)];

    private static byte[] Frame(byte stream, string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [stream, 0, 0, 0, (byte)(bytes.Length >> 24), (byte)(bytes.Length >> 16), (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    private List<DockerLine> Parse(byte[] body, bool tty, int piece, int maxLineBytes = 16384) => Parse(body, tty, piece, out _, maxLineBytes);

    private List<DockerLine> Parse(byte[] body, bool tty, int piece, out DockerLogStream stream, int maxLineBytes = 16384)
    {
        stream = new DockerLogStream(tty, maxLineBytes, _time);
        var lines = new List<DockerLine>();
        for (var at = 0; at < body.Length; at += piece)
            stream.Feed(body.AsSpan(at, Math.Min(piece, body.Length - at)), lines);
        stream.Finish(lines);
        return lines;
    }
}
