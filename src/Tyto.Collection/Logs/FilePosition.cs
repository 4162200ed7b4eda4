using System.Text.Json;

namespace Tyto.Collection.Logs;

/// <summary>
/// How far one log file has been read, to persist and hand back to <see cref="FileTailer"/> after a restart. The file
/// is known by its device and inode, so a file renamed meanwhile is still found, and one replaced is read anew.
/// </summary>
/// <param name="Path">Where the file was last found.</param>
/// <param name="Device">Its device, major number in the high 32 bits, minor in the low.</param>
/// <param name="Inode">Its inode on that device.</param>
/// <param name="Offset">The byte where its first unread line starts.</param>
public sealed record FilePosition(string Path, ulong Device, ulong Inode, long Offset)
{
    /// <summary>The positions of every file as one position string of the file source.</summary>
    public static string Format(IReadOnlyList<FilePosition> positions) => JsonSerializer.Serialize(positions);

    /// <summary>The positions in a stored position string; none for none, or for one this version cannot read (the files then start anew at their end).</summary>
    public static IReadOnlyList<FilePosition> Parse(string? position)
    {
        if (position is null)
            return [];
        try
        {
            return JsonSerializer.Deserialize<List<FilePosition>>(position) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
