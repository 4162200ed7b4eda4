namespace Tyto;

public static class TimeExtensions
{
    /// <summary>The time to the millisecond: what the wire format and the database keep.</summary>
    public static DateTime TruncateToMillisecond(this DateTime time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMillisecond));
}
