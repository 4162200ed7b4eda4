using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tyto.Collection.Logs;

/// <summary>
/// How far a container's log has been read: the engine's time of the last line (nanoseconds since the epoch) and how many
/// lines with exactly that time have been read. The engine's <c>since</c> includes lines at the time it names, and lines
/// can share a nanosecond (the parts of a line longer than the engine's buffer always do), so resuming skips that many
/// lines at that time rather than all of them: none is read twice, none is skipped.
/// </summary>
internal readonly record struct DockerLogMark(long Nanos, int Lines)
{
    /// <summary>The mark after one more line read at <paramref name="nanos"/>; a line older than the mark (the end of a long stdout line finished after a later stderr line) leaves it.</summary>
    public DockerLogMark After(long nanos) =>
        nanos > Nanos ? new DockerLogMark(nanos, 1) : nanos == Nanos ? this with { Lines = Lines + 1 } : this;
}

/// <summary>
/// The docker reader's position as text to persist: a JSON object of full container id to
/// <c>{"time":"2015-06-25T18:10:22.916242788Z","lines":1}</c>, the time as the engine writes it.
/// </summary>
internal static class DockerLogPosition
{
    public static string Format(IReadOnlyDictionary<string, DockerLogMark> marks) =>
        JsonSerializer.Serialize(
            new SortedDictionary<string, Stored>(marks.ToDictionary(m => m.Key, m => new Stored(DockerTime.Format(m.Value.Nanos), m.Value.Lines)), StringComparer.Ordinal));

    /// <summary>The marks <paramref name="position"/> holds; null when it is not a position this reader wrote.</summary>
    public static Dictionary<string, DockerLogMark>? Parse(string position)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<Dictionary<string, Stored>>(position);
            if (stored is null)
                return null;
            var marks = new Dictionary<string, DockerLogMark>(StringComparer.Ordinal);
            foreach (var (id, mark) in stored)
            {
                if (mark?.Time is not { } text || !DockerTime.TryParse(text, out var nanos) || mark.Lines < 0)
                    return null;
                marks[id] = new DockerLogMark(nanos, mark.Lines);
            }
            return marks;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Stored([property: JsonPropertyName("time")] string? Time, [property: JsonPropertyName("lines")] int Lines);
}
