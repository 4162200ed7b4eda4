namespace Tyto.Actors.Logs;

/// <summary>
/// Log ids in time order: the entry's Unix millisecond in the high bits and its slot among the entries of that
/// millisecond (in the order they were written) in the low ones. Newest first is then the primary key read backwards,
/// a time range is a range of ids, and the full-text index, keyed by the same ids, hands matches out newest first and
/// stops at a page instead of collecting every match to sort it.
/// </summary>
public static class LogIds
{
    public const int SlotBits = 21;

    /// <summary>Entries one millisecond holds: about two million.</summary>
    public const long Slots = 1L << SlotBits;

    /// <summary>The last millisecond ids can hold, in 2109; later times (and times before 1970) are held at the bound.</summary>
    private const long MaxMs = (1L << (63 - SlotBits)) - 1;

    public static long Millisecond(long unixMs) => Math.Clamp(unixMs, 0, MaxMs);

    /// <summary>The first id of the millisecond <paramref name="unixMs"/>.</summary>
    public static long First(long unixMs) => Millisecond(unixMs) << SlotBits;

    /// <summary>The last id of the millisecond <paramref name="unixMs"/>.</summary>
    public static long Last(long unixMs) => First(unixMs) | (Slots - 1);

    /// <summary>
    /// The first free id of the millisecond <paramref name="unixMs"/>, given <paramref name="highest"/>, the highest id
    /// stored up to its last (null: none): one past it when it lies in that millisecond, else the millisecond's first.
    /// </summary>
    public static long FirstFree(long unixMs, long? highest) => highest is { } id && id >= First(unixMs) ? id + 1 : First(unixMs);

    public static string Format(long id) => $"log-{id}";
}
