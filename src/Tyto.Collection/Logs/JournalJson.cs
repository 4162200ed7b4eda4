using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tyto.Collection.Logs;

/// <summary>A journal entry and its cursor: the position to persist once the entry is stored, to resume after it.</summary>
public sealed record JournalEntry(LogEntry Entry, string Cursor);

/// <summary>
/// One line of <c>journalctl --output=json</c> as a <see cref="LogEntry"/>. The time is <c>__REALTIME_TIMESTAMP</c>
/// (when journald received the entry, µs since the epoch); the level is <c>PRIORITY</c> 0–7 as syslog numbers
/// them (<c>info</c> where it is missing or not one of those); the source name is <c>_SYSTEMD_UNIT</c>, else
/// <c>SYSLOG_IDENTIFIER</c>, else <c>_COMM</c>, else <c>_TRANSPORT</c> (<c>kernel</c>, <c>audit</c>…).
/// <para>
/// <see cref="LogEntry.Fields"/> keeps the fields that say where a line came from and what it is about, not all of
/// them: the process (<c>_PID</c>, <c>_UID</c>, <c>_GID</c>, <c>_COMM</c>, <c>_EXE</c>, <c>_CMDLINE</c>), the
/// host and boot (<c>_HOSTNAME</c>, <c>_BOOT_ID</c>), how it arrived (<c>_TRANSPORT</c>, <c>SYSLOG_IDENTIFIER</c>,
/// <c>SYSLOG_FACILITY</c>), its units (<c>_SYSTEMD_UNIT</c>, <c>_SYSTEMD_USER_UNIT</c>, and <c>UNIT</c> and
/// <c>USER_UNIT</c>, the unit systemd's own messages are about), the catalogue id and error
/// (<c>MESSAGE_ID</c>, <c>ERRNO</c>), the code location (<c>CODE_FILE</c>, <c>CODE_LINE</c>, <c>CODE_FUNC</c>) and
/// the container of Docker's journald driver (<c>CONTAINER_NAME</c>, <c>CONTAINER_ID</c>). Each is named in lower
/// case without leading underscores (<c>_PID</c> is <c>pid</c>). Left out are the fields already in the entry
/// (<c>MESSAGE</c>, <c>PRIORITY</c>, the timestamps), the journal's bookkeeping (<c>__CURSOR</c>, <c>__SEQNUM</c>,
/// <c>_STREAM_ID</c>, <c>_SYSTEMD_INVOCATION_ID</c>…), the bulky ones that rarely answer a question
/// (<c>_CAP_EFFECTIVE</c>, <c>_SYSTEMD_CGROUP</c>, <c>_SELINUX_CONTEXT</c>, <c>SYSLOG_RAW</c>…) and the
/// application's own fields, which can be large (systemd-coredump writes the whole core into <c>COREDUMP</c>): a
/// row stays small and its fields predictable. journalctl is asked to print only <see cref="OutputFields"/>.
/// </para>
/// <para>
/// journalctl writes a value as a string, as an array of byte values where it is not printable UTF-8 (a carriage
/// return or a colour escape is enough), as an array of values where the entry has the field more than once (the
/// first counts, as <c>sd_journal_get_data</c> returns it), and as <c>null</c> where it is over 4096 bytes and
/// <c>--all</c> was not given. Bytes are decoded as UTF-8, invalid sequences as U+FFFD. A message longer than the
/// longest line kept is cut and marked as every source's long lines are (<see cref="LongLine"/>).
/// </para>
/// </summary>
public static class JournalJson
{
    /// <summary>The fields kept in <see cref="LogEntry.Fields"/>, as the journal names them.</summary>
    public static readonly IReadOnlyList<string> KeptFields =
    [
        "_PID", "_UID", "_GID", "_COMM", "_EXE", "_CMDLINE", "_HOSTNAME", "_BOOT_ID", "_TRANSPORT",
        "SYSLOG_IDENTIFIER", "SYSLOG_FACILITY", "_SYSTEMD_UNIT", "_SYSTEMD_USER_UNIT", "UNIT", "USER_UNIT",
        "MESSAGE_ID", "ERRNO", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "CONTAINER_NAME", "CONTAINER_ID",
    ];

    /// <summary>Every field the parser reads (<c>__CURSOR</c> and <c>__REALTIME_TIMESTAMP</c> journalctl always prints).</summary>
    public static readonly IReadOnlyList<string> OutputFields = ["MESSAGE", "PRIORITY", .. KeptFields];

    private static readonly (string Journal, string Name)[] FieldNames =
        KeptFields.Select(f => (f, f.TrimStart('_').ToLowerInvariant())).ToArray();

    /// <summary>The latest time a <see cref="DateTime"/> holds, in µs since the epoch.</summary>
    private static readonly long LatestMicroseconds = (DateTime.MaxValue - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// The entry on <paramref name="line"/>, its message cut to <paramref name="maxMessageBytes"/>, or null where it is
    /// not a journal entry with a cursor and a time.
    /// </summary>
    public static JournalEntry? Parse(string line, int maxMessageBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var entry = document.RootElement;
            if (entry.ValueKind != JsonValueKind.Object ||
                Text(entry, "__CURSOR") is not { Length: > 0 } cursor ||
                !long.TryParse(Text(entry, "__REALTIME_TIMESTAMP"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) ||
                microseconds > LatestMicroseconds)
                return null;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (journal, name) in FieldNames)
            {
                if (Text(entry, journal) is { } value)
                    fields[name] = value;
            }
            var (message, truncated) = LongLine.Cut((Text(entry, "MESSAGE") ?? "").TrimEnd('\n'), maxMessageBytes);
            if (truncated)
                LongLine.Mark(fields);
            var sourceName = Text(entry, "_SYSTEMD_UNIT") ?? Text(entry, "SYSLOG_IDENTIFIER") ?? Text(entry, "_COMM") ?? Text(entry, "_TRANSPORT") ?? "";
            return new JournalEntry(
                new LogEntry(
                    DateTime.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond),
                    LogSourceKind.Journal,
                    sourceName,
                    Level(Text(entry, "PRIORITY")),
                    message,
                    fields),
                cursor);
        }
    }

    /// <summary>Syslog's priorities 0 (emerg) to 7 (debug) are <see cref="LogSeverity"/> in the same order.</summary>
    private static LogSeverity Level(string? priority) =>
        priority is [>= '0' and <= '7'] ? (LogSeverity)(priority[0] - '0') : LogSeverity.Info;

    private static string? Text(JsonElement entry, string field) =>
        entry.TryGetProperty(field, out var value) ? Decode(value) : null;

    private static string? Decode(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Array when value.GetArrayLength() > 0 && value[0].ValueKind is JsonValueKind.String or JsonValueKind.Array => Decode(value[0]),
        JsonValueKind.Array => Bytes(value),
        _ => null,
    };

    private static string? Bytes(JsonElement array)
    {
        var bytes = new byte[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out bytes[i++]))
                return null;
        }
        return Encoding.UTF8.GetString(bytes);
    }
}
