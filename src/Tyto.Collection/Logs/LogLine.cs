using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tyto.Collection.Logs;

/// <summary>
/// What a line of a log file says about itself: its level and, where it is unambiguous, when it was written.
/// The level comes from, in order: a JSON line's <c>level</c>, <c>lvl</c> or <c>severity</c> field (a name, or a
/// pino/bunyan number); a logfmt <c>level=</c>, <c>lvl=</c> or <c>severity=</c>; a level word among the first
/// <see cref="TokenWindow"/> characters, either in capitals (<c>ERROR</c>) or in any case as <c>[error]</c>,
/// <c>&lt;warn&gt;</c> or <c>Error:</c> (so prose such as "no error found" says nothing); else info. The time is a JSON
/// <c>time</c>, <c>timestamp</c>, <c>ts</c> or <c>@timestamp</c> field, or the line's first word, only when it is an
/// ISO 8601 date and time with its offset (<c>Z</c>, <c>+02:00</c>); a time without a zone or year (syslog's
/// <c>Dec  1 21:00:00</c>) could be any zone, so such lines keep the time they were read.
/// </summary>
public static class LogLine
{
    /// <summary>How far into a line a level word still counts as the line's level.</summary>
    public const int TokenWindow = 100;

    private static readonly string[] LevelKeys = ["level", "lvl", "severity"];
    private static readonly string[] TimeKeys = ["time", "timestamp", "ts", "@timestamp"];
    private static readonly string[] Iso8601 = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private static readonly Dictionary<string, LogSeverity> Levels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["emerg"] = LogSeverity.Emerg,
        ["emergency"] = LogSeverity.Emerg,
        ["panic"] = LogSeverity.Emerg,
        ["alert"] = LogSeverity.Alert,
        ["crit"] = LogSeverity.Crit,
        ["critical"] = LogSeverity.Crit,
        ["fatal"] = LogSeverity.Crit,
        ["ftl"] = LogSeverity.Crit,
        ["err"] = LogSeverity.Error,
        ["error"] = LogSeverity.Error,
        ["eror"] = LogSeverity.Error,
        ["dbug"] = LogSeverity.Debug,
        ["warn"] = LogSeverity.Warning,
        ["warning"] = LogSeverity.Warning,
        ["wrn"] = LogSeverity.Warning,
        ["notice"] = LogSeverity.Notice,
        ["info"] = LogSeverity.Info,
        ["information"] = LogSeverity.Info,
        ["informational"] = LogSeverity.Info,
        ["inf"] = LogSeverity.Info,
        ["debug"] = LogSeverity.Debug,
        ["dbg"] = LogSeverity.Debug,
        ["trace"] = LogSeverity.Debug,
        ["trc"] = LogSeverity.Debug,
        ["verbose"] = LogSeverity.Debug,
        ["vrb"] = LogSeverity.Debug,
    };

    private static readonly Dictionary<string, LogSeverity>.AlternateLookup<ReadOnlySpan<char>> LevelsBySpan = Levels.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The level and time <paramref name="line"/> carries; the time is null where it names none unambiguously.</summary>
    public static (LogSeverity Level, DateTime? Timestamp) Read(string line)
    {
        var (level, timestamp) = Stated(line);
        return (level ?? LogSeverity.Info, timestamp);
    }

    /// <summary>As <see cref="Read"/>, but the level is null where the line names none (for sources with a default of their own).</summary>
    public static (LogSeverity? Level, DateTime? Timestamp) Stated(string line)
    {
        if (line.StartsWith('{') && Json(line) is { } json)
            return json;
        var level = Logfmt(line) ?? Token(line);
        var firstWord = line.AsSpan(0, line.IndexOf(' ') is >= 0 and var space ? space : line.Length);
        return (level, Zoned(firstWord));
    }

    /// <summary>The level a name such as <c>WARNING</c> or <c>err</c> stands for.</summary>
    public static LogSeverity? Named(ReadOnlySpan<char> name) => LevelsBySpan.TryGetValue(name, out var level) ? level : null;

    /// <summary>The top-level level and time fields of a JSON object, or null when the line is not one.</summary>
    private static (LogSeverity? Level, DateTime? Timestamp)? Json(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        LogSeverity? level = null;
        DateTime? timestamp = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (level is null && LevelKeys.Contains(name, StringComparer.OrdinalIgnoreCase))
                    level = reader.TokenType switch
                    {
                        JsonTokenType.String => Named(reader.GetString()),
                        JsonTokenType.Number when reader.TryGetInt32(out var number) => Numbered(number),
                        _ => null,
                    };
                else if (timestamp is null && reader.TokenType == JsonTokenType.String && TimeKeys.Contains(name, StringComparer.OrdinalIgnoreCase))
                    timestamp = Zoned(reader.GetString());
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return (level, timestamp);
    }

    /// <summary>pino's and bunyan's numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.</summary>
    private static LogSeverity? Numbered(int number) => number switch
    {
        10 or 20 => LogSeverity.Debug,
        30 => LogSeverity.Info,
        40 => LogSeverity.Warning,
        50 => LogSeverity.Error,
        60 => LogSeverity.Crit,
        _ => null,
    };

    /// <summary>The value of a logfmt <c>level=</c> (or <c>lvl=</c>, <c>severity=</c>) pair, quoted or not.</summary>
    private static LogSeverity? Logfmt(string line)
    {
        foreach (var key in LevelKeys)
        {
            var at = 0;
            while ((at = line.IndexOf(key + "=", at, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var start = at + key.Length + 1;
                if (at == 0 || char.IsWhiteSpace(line[at - 1]))
                {
                    var value = line.AsSpan(start).TrimStart('"');
                    var end = value.IndexOfAny(" \t\"");
                    return Named(end >= 0 ? value[..end] : value);
                }
                at = start;
            }
        }
        return null;
    }

    /// <summary>The first level word near the start written as a level: in capitals, or bracketed, or before a colon.</summary>
    private static LogSeverity? Token(string line)
    {
        var window = Math.Min(line.Length, TokenWindow);
        for (var start = 0; start < window;)
        {
            if (!char.IsAsciiLetter(line[start]))
            {
                start++;
                continue;
            }
            var end = start;
            while (end < line.Length && char.IsAsciiLetterOrDigit(line[end]))
                end++;
            var word = line.AsSpan(start, end - start);
            var before = start > 0 ? line[start - 1] : ' ';
            var after = end < line.Length ? line[end] : ' ';
            var marked = !word.ContainsAnyInRange('a', 'z') || before is '[' or '<' || after is ':' or ']' or '>';
            if (marked && Named(word) is { } level)
                return level;
            start = end;
        }
        return null;
    }

    /// <summary>An ISO 8601 date and time with its offset, as UTC; null for anything else, a time without a zone included.</summary>
    private static DateTime? Zoned(ReadOnlySpan<char> text) =>
        text.Length > 6 && (text[^1] is 'Z' || text[^6] is '+' or '-') &&
        DateTimeOffset.TryParseExact(text, Iso8601, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.UtcDateTime
            : null;
}
