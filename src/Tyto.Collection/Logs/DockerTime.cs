using System.Globalization;

namespace Tyto.Collection.Logs;

/// <summary>
/// The Docker engine's log times, kept as nanoseconds since the Unix epoch (times before it do not occur): a
/// <see cref="DateTime"/> holds only 100 ns, and resuming after the last line read needs the engine's own nanosecond.
/// </summary>
internal static class DockerTime
{
    private const long NanosPerSecond = 1_000_000_000;
    private const int MaxFractionDigits = 9;

    /// <summary>
    /// Reads an RFC 3339 time with up to nine fraction digits and its zone: what the engine puts before each line
    /// (<c>2015-06-25T18:10:22.916242788Z</c>, moby's <c>RFC3339NanoFixed</c>) and in <c>State.StartedAt</c> (trailing
    /// zeros dropped, <c>RFC3339Nano</c>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long nanos)
    {
        nanos = 0;
        if (text.Length < 20 || text[10] != 'T' ||
            !DateTime.TryParseExact(text[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var seconds))
            return false;
        var rest = text[19..];
        long fraction = 0;
        if (rest.StartsWith('.'))
        {
            var digits = 0;
            rest = rest[1..];
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
                digits++;
            if (digits is 0 or > MaxFractionDigits)
                return false;
            fraction = long.Parse(rest[..digits], CultureInfo.InvariantCulture);
            for (var i = digits; i < MaxFractionDigits; i++)
                fraction *= 10;
            rest = rest[digits..];
        }
        long offsetSeconds;
        if (rest is "Z")
            offsetSeconds = 0;
        else if (rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':' &&
                 int.TryParse(rest[1..3], NumberStyles.None, CultureInfo.InvariantCulture, out var hours) &&
                 int.TryParse(rest[4..6], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
            offsetSeconds = (rest[0] == '-' ? -1 : 1) * (hours * 3600L + minutes * 60L);
        else
            return false;
        nanos = ((seconds.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond - offsetSeconds) * NanosPerSecond + fraction;
        return true;
    }

    /// <summary>The time as the engine writes it before each line: UTC with nine fraction digits.</summary>
    public static string Format(long nanos) =>
        string.Create(CultureInfo.InvariantCulture, $"{ToDateTime(nanos):yyyy-MM-dd'T'HH:mm:ss}.{Fraction(nanos):D9}Z");

    /// <summary>The time as the logs endpoint's <c>since</c> takes it: Unix seconds, a dot, nine digits of nanoseconds.</summary>
    public static string Since(long nanos) => string.Create(CultureInfo.InvariantCulture, $"{nanos / NanosPerSecond}.{Fraction(nanos):D9}");

    /// <summary>The time as a UTC <see cref="DateTime"/>, to its 100 ns.</summary>
    public static DateTime ToDateTime(long nanos) => DateTime.UnixEpoch.AddTicks(nanos / 100);

    public static long FromDateTimeOffset(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    private static long Fraction(long nanos) => nanos % NanosPerSecond;
}
