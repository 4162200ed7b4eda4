using System.Collections.ObjectModel;
using System.Text;

namespace Tyto.Collection.Logs;

/// <summary>
/// The one rule for lines longer than <c>Tyto:Logs:MaxLineBytes</c>, whichever source they come from (a file's line, a
/// journal entry's message, a container's line): cut to that many bytes of UTF-8 at a character boundary, and marked
/// with the field <c>truncated</c> set to <c>true</c>. An agent's outbox cuts by the same rule an entry too large for a frame.
/// </summary>
public static class LongLine
{
    /// <summary>The field that marks a line as cut.</summary>
    public const string Field = "truncated";

    /// <summary>The fields of a cut line that has no others.</summary>
    public static readonly IReadOnlyDictionary<string, string> MarkOnly =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string> { [Field] = "true" });

    /// <summary>Marks the line whose fields these are as cut.</summary>
    public static void Mark(IDictionary<string, string> fields) => fields[Field] = "true";

    /// <summary>
    /// The text of a line read as bytes: <paramref name="held"/> are its first bytes (all of them, or at least one more
    /// than <paramref name="maxBytes"/>) of <paramref name="length"/> in all, without its newline. A final carriage
    /// return of a line held whole is dropped; a line longer than <paramref name="maxBytes"/> is cut.
    /// </summary>
    public static (string Text, bool Truncated) Text(ReadOnlySpan<byte> held, long length, int maxBytes)
    {
        if (length == held.Length && held.EndsWith((byte)'\r'))
        {
            held = held[..^1];
            length--;
        }
        return Cut(held, length, maxBytes);
    }

    /// <summary><paramref name="text"/>, cut when its UTF-8 is longer than <paramref name="maxBytes"/>.</summary>
    public static (string Text, bool Truncated) Cut(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
            return (text, false);
        var bytes = Encoding.UTF8.GetBytes(text);
        return Cut(bytes, bytes.Length, maxBytes);
    }

    private static (string Text, bool Truncated) Cut(ReadOnlySpan<byte> bytes, long length, int maxBytes)
    {
        var truncated = length > maxBytes;
        if (truncated)
            bytes = bytes[..Utf8Boundary(bytes, maxBytes)];
        return (Encoding.UTF8.GetString(bytes), truncated);
    }

    /// <summary>The longest prefix of at most <paramref name="limit"/> bytes that does not split a UTF-8 character.</summary>
    private static int Utf8Boundary(ReadOnlySpan<byte> bytes, int limit)
    {
        var end = limit;
        // Continuation bytes are 10xxxxxx; a character is at most four bytes, so at most three are stepped over.
        while (end > limit - 3 && end > 0 && (bytes[end] & 0xC0) == 0x80)
            end--;
        return end;
    }
}
