using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tyto.Actors.Tests.Logs;

/// <summary>
/// One container's log as the fake engine keeps it: the messages the engine would send for <c>timestamps=1</c>, each
/// with its time, as frames (8-byte header, then the timestamp, a space and the line) or, for a TTY container, raw.
/// Messages come from recordings (<c>tests/fixtures/docker-logs</c>) and from what a test appends; the container runs
/// until <see cref="Stop"/>.
/// </summary>
internal sealed class FakeContainerLog
{
    private readonly Lock _gate = new();
    private readonly List<(long Nanos, byte[] Bytes)> _messages = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running = true;
    private int _restarts;

    private FakeContainerLog(bool tty, string startedAt)
    {
        Tty = tty;
        StartedAt = startedAt;
    }

    public bool Tty { get; }

    /// <summary>The inspect answer's <c>State.StartedAt</c>.</summary>
    public string StartedAt { get; }

    /// <summary>Set for a container whose logging driver the engine cannot read back: its logs are refused with this message.</summary>
    public string? Unreadable { get; set; }

    /// <summary>A recorded multiplexed body, replayed frame by frame as it was recorded.</summary>
    public static FakeContainerLog Recorded(string recording, string startedAt)
    {
        var log = new FakeContainerLog(tty: false, startedAt);
        var bytes = File.ReadAllBytes(Path(recording));
        for (var at = 0; at < bytes.Length;)
        {
            var length = 8 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 4));
            var frame = bytes[at..(at + length)];
            log._messages.Add((Nanos(Encoding.ASCII.GetString(frame, 8, frame.AsSpan(8).IndexOf((byte)' '))), frame));
            at += length;
        }
        return log;
    }

    /// <summary>
    /// A recorded json-file log (<c>{"log","stream","time"}</c> lines), sent as the engine sends what its json-file
    /// driver stored: each line a message, its time written with nine fraction digits.
    /// </summary>
    public static FakeContainerLog FromJsonFile(string recording, bool tty, string startedAt)
    {
        var log = new FakeContainerLog(tty, startedAt);
        foreach (var line in File.ReadLines(Path(recording)))
        {
            var stored = JsonNode.Parse(line)!;
            log.Append((string)stored["stream"]!, (string)stored["log"]!, Nanos((string)stored["time"]!));
        }
        return log;
    }

    /// <summary>The nanoseconds since the epoch of a UTC engine time such as <c>2018-03-09T03:17:06.75984516Z</c>.</summary>
    public static long Nanos(string time)
    {
        if (!time.EndsWith('Z'))
            throw new FormatException(time);
        var seconds = DateTimeOffset.ParseExact(time[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds();
        var fraction = time.Length > 20 ? long.Parse(time[20..^1].PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
        return seconds * 1_000_000_000 + fraction;
    }

    /// <summary>A time as the engine writes it before a line: UTC, nine fraction digits.</summary>
    public static string Format(long nanos) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeSeconds(nanos / 1_000_000_000):yyyy-MM-dd'T'HH:mm:ss}.{nanos % 1_000_000_000:D9}Z");

    /// <summary>
    /// A message as the engine writes it: <paramref name="text"/> ends with a newline, unless it is a part of a line
    /// longer than the engine's buffer.
    /// </summary>
    public void Append(string stream, string text, long nanos)
    {
        var payload = Encoding.UTF8.GetBytes($"{Format(nanos)} {text}");
        byte[] message = Tty ? payload : [(byte)(stream == "stderr" ? 2 : 1), 0, 0, 0, .. BigEndian(payload.Length), .. payload];
        lock (_gate)
        {
            _messages.Add((nanos, message));
            Changed();
        }
    }

    /// <summary>The container stops: a followed response ends after what it has sent.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _running = false;
            Changed();
        }
    }

    /// <summary>The engine restarts: the responses being sent end, the container keeps running.</summary>
    public void RestartEngine()
    {
        lock (_gate)
        {
            _restarts++;
            Changed();
        }
    }

    /// <summary>
    /// The messages from the <paramref name="skip"/>th on, whether the container still runs, how often the engine
    /// restarted, and a task done at the next change.
    /// </summary>
    public (IReadOnlyList<(long Nanos, byte[] Bytes)> Messages, bool Running, int Restarts, Task Changed) From(int skip)
    {
        lock (_gate)
            return (_messages[skip..], _running, _restarts, _changed.Task);
    }

    private static string Path(string recording) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "docker-logs", recording);

    private static byte[] BigEndian(int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        return bytes;
    }

    private void Changed()
    {
        _changed.SetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
