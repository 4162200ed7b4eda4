using System.Collections.ObjectModel;
using Microsoft.Win32.SafeHandles;

namespace Tyto.Collection.Logs;

/// <summary>
/// One open log file and how far it has been read. <see cref="Offset"/> is always the start of a line: bytes of a line
/// whose newline has not come yet are held (its first <c>maxLineBytes</c> only), not counted as read.
/// </summary>
internal sealed class TailedFile(string path, FileIdentity identity, SafeFileHandle handle, long offset, int maxLineBytes) : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoFields = ReadOnlyDictionary<string, string>.Empty;

    // One byte more than a line may keep, for the carriage return of a CRLF line of exactly the longest length.
    private readonly byte[] _line = new byte[maxLineBytes + 1];
    private int _held;
    private long _lineLength;

    /// <summary>The path it was last found under: a file renamed within the watched patterns keeps its reading.</summary>
    public string Path { get; set; } = path;

    public FileIdentity Identity => identity;

    /// <summary>Where the next unread line starts.</summary>
    public long Offset { get; private set; } = offset;

    /// <summary>Where reading stands, the held part of an unfinished line included.</summary>
    public long ReadTo => Offset + _lineLength;

    /// <summary>When the file was last found under the patterns, or grew after it was not.</summary>
    public DateTimeOffset GrewAt { get; set; }

    public FilePosition Position => new(Path, identity.Device, identity.Inode, Offset);

    /// <summary>Starts over at the beginning when the file is now shorter than what was read of it (copytruncate).</summary>
    public void RestartIfTruncated()
    {
        if (RandomAccess.GetLength(handle) >= Offset + _lineLength)
            return;
        Offset = 0;
        _held = 0;
        _lineLength = 0;
    }

    /// <summary>
    /// Reads up to <paramref name="budget"/> lines into <paramref name="into"/>; true when it reached the end of the
    /// file. A <paramref name="finished"/> file (renamed away or deleted) gives its last line even without a newline.
    /// </summary>
    public bool Read(byte[] chunk, int budget, DateTime readAt, List<LogEntry> into, bool finished)
    {
        var position = Offset + _lineLength;
        var lines = 0;
        while (lines < budget)
        {
            var count = RandomAccess.Read(handle, chunk, position);
            if (count == 0)
            {
                if (finished && _lineLength > 0)
                {
                    into.Add(Entry(readAt));
                    Offset = position;
                }
                return true;
            }
            var start = 0;
            while (lines < budget && chunk.AsSpan(start, count - start).IndexOf((byte)'\n') is >= 0 and var newline)
            {
                Hold(chunk.AsSpan(start, newline));
                into.Add(Entry(readAt));
                lines++;
                start += newline + 1;
                Offset = position + start;
            }
            if (lines == budget)
                return false;
            Hold(chunk.AsSpan(start, count - start));
            position += count;
        }
        return false;
    }

    public void Dispose() => handle.Dispose();

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        var kept = Math.Min(bytes.Length, _line.Length - _held);
        bytes[..kept].CopyTo(_line.AsSpan(_held));
        _held += kept;
        _lineLength += bytes.Length;
    }

    /// <summary>The held line as an entry: without its carriage return, cut and marked when too long (<see cref="LongLine"/>).</summary>
    private LogEntry Entry(DateTime readAt)
    {
        var (message, truncated) = LongLine.Text(_line.AsSpan(0, _held), _lineLength, maxLineBytes);
        _held = 0;
        _lineLength = 0;
        var (level, written) = LogLine.Read(message);
        return new LogEntry(written ?? readAt, LogSourceKind.File, Path, level, message, truncated ? LongLine.MarkOnly : NoFields);
    }
}
