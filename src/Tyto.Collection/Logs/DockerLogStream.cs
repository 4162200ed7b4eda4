using System.Buffers.Binary;
using System.Text;

namespace Tyto.Collection.Logs;

/// <summary>The output of a container a line was written to.</summary>
internal enum DockerStream
{
    Stdout,
    Stderr,
}

/// <summary>One line of a container's log: when the engine read it (nanoseconds since the epoch), from which output, its text.</summary>
internal readonly record struct DockerLine(long Nanos, DockerStream Stream, string Text, bool Truncated);

/// <summary>
/// Turns the body of <c>GET /containers/{id}/logs?timestamps=1</c> into lines, whatever pieces it is read in. For a
/// container without a TTY the body is multiplexed: frames of an 8-byte header (the stream: 1 stdout, 2 stderr, 3 the
/// engine's own error; three zeros; the payload's length as a big-endian uint32) and a payload, one log message each.
/// With a TTY it is the messages' bytes alone, all on stdout. The engine writes each message as its RFC3339Nano
/// timestamp, a space and the line with its newline (moby's <c>WriteLogStream</c>). A multiplexed message without a
/// newline at its end is part of a line longer than the engine's buffer (16 KiB): the next message of the same stream
/// carries the rest, with the same timestamp, which is dropped. Raw TTY bytes do not show where such a message ends, so
/// there the later parts' timestamps stay inside the line (as <c>docker logs --timestamps</c> shows them too), beyond
/// the first 16 KiB. Text before the first space that is no timestamp is kept as part of the line, which then counts as
/// read <paramref name="time"/>'s now. Lines are cut to <paramref name="maxLineBytes"/> at a character boundary.
/// </summary>
internal sealed class DockerLogStream(bool tty, int maxLineBytes, TimeProvider time)
{
    private const int HeaderBytes = 8;

    private readonly byte[] _header = new byte[HeaderBytes];
    private readonly LineBuilder _stdout = new(DockerStream.Stdout, maxLineBytes, time);
    private readonly LineBuilder _stderr = new(DockerStream.Stderr, maxLineBytes, time);
    private readonly List<byte> _engineError = [];
    private int _headerFill;
    private long _payloadLeft;
    private byte _streamType;

    /// <summary>What the engine said on its own error stream (type 3) last, such as <c>Error grabbing logs: …</c>; null when nothing.</summary>
    public string? EngineError { get; private set; }

    /// <summary>Adds the lines <paramref name="bytes"/> complete to <paramref name="into"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, List<DockerLine> into)
    {
        if (tty)
        {
            _stdout.Append(bytes, into, newlineEndsMessage: true);
            return;
        }
        while (!bytes.IsEmpty)
        {
            if (_headerFill < HeaderBytes)
            {
                var take = Math.Min(HeaderBytes - _headerFill, bytes.Length);
                bytes[..take].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                bytes = bytes[take..];
                if (_headerFill < HeaderBytes)
                    return;
                _streamType = _header[0];
                _payloadLeft = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
                Builder()?.StartMessage();
                if (_payloadLeft == 0)
                    EndFrame();
                continue;
            }
            var part = bytes[..(int)Math.Min(_payloadLeft, bytes.Length)];
            if (Builder() is { } builder)
                builder.Append(part, into, newlineEndsMessage: false);
            else
                _engineError.AddRange(part);
            _payloadLeft -= part.Length;
            bytes = bytes[part.Length..];
            if (_payloadLeft == 0)
                EndFrame();
        }
    }

    /// <summary>The body ended: a line still waiting for its newline is complete as it is.</summary>
    public void Finish(List<DockerLine> into)
    {
        _stdout.Finish(into);
        _stderr.Finish(into);
    }

    /// <summary>Where the current frame's payload goes: stdout (and stdin, which the engine shows as stdout), stderr, or the engine's error.</summary>
    private LineBuilder? Builder() => _streamType switch
    {
        2 => _stderr,
        3 => null,
        _ => _stdout,
    };

    private void EndFrame()
    {
        _headerFill = 0;
        if (_streamType == 3)
        {
            EngineError = Encoding.UTF8.GetString([.. _engineError]).TrimEnd();
            _engineError.Clear();
        }
    }

    /// <summary>The line being put together from one stream's messages: its time, and its first bytes (one more, for a carriage return).</summary>
    private sealed class LineBuilder(DockerStream stream, int maxLineBytes, TimeProvider time)
    {
        /// <summary>The longest timestamp read before its space: RFC 3339 with nine fraction digits and an offset is 35.</summary>
        private const int MaxPrefix = 40;

        private readonly byte[] _prefix = new byte[MaxPrefix];
        private readonly byte[] _line = new byte[maxLineBytes + 1];
        private int _prefixFill;
        private bool _inPrefix = true;
        private long _messageNanos;
        private bool _open;
        private long _lineNanos;
        private int _held;
        private long _length;

        /// <summary>A message begins: its first bytes are its timestamp.</summary>
        public void StartMessage()
        {
            _inPrefix = true;
            _prefixFill = 0;
        }

        public void Append(ReadOnlySpan<byte> bytes, List<DockerLine> into, bool newlineEndsMessage)
        {
            while (!bytes.IsEmpty)
            {
                if (_inPrefix)
                {
                    var space = bytes.IndexOf((byte)' ');
                    var take = space >= 0 ? space : bytes.Length;
                    if (_prefixFill + take > MaxPrefix)
                    {
                        NoTimestamp(includeSpace: false);
                        continue;
                    }
                    bytes[..take].CopyTo(_prefix.AsSpan(_prefixFill));
                    _prefixFill += take;
                    if (space < 0)
                        return;
                    bytes = bytes[(space + 1)..];
                    if (DockerTime.TryParse(Encoding.ASCII.GetString(_prefix, 0, _prefixFill), out var nanos))
                    {
                        _inPrefix = false;
                        _messageNanos = nanos;
                        Open();
                    }
                    else
                        NoTimestamp(includeSpace: true);
                    continue;
                }
                var newline = bytes.IndexOf((byte)'\n');
                Hold(newline >= 0 ? bytes[..newline] : bytes);
                if (newline < 0)
                    return;
                Emit(into);
                bytes = bytes[(newline + 1)..];
                if (newlineEndsMessage)
                    StartMessage();
            }
        }

        public void Finish(List<DockerLine> into)
        {
            if (_inPrefix && _prefixFill > 0)
                NoTimestamp(includeSpace: false);
            if (_open)
                Emit(into);
            StartMessage();
        }

        /// <summary>The bytes read as a timestamp were none: they are the line's start, read now.</summary>
        private void NoTimestamp(bool includeSpace)
        {
            _inPrefix = false;
            _messageNanos = DockerTime.FromDateTimeOffset(time.GetUtcNow());
            Hold(_prefix.AsSpan(0, _prefixFill));
            if (includeSpace)
                Hold(" "u8);
            _prefixFill = 0;
        }

        /// <summary>A line begins with the current message unless one is waiting for the rest of its bytes.</summary>
        private void Open()
        {
            if (_open)
                return;
            _open = true;
            _lineNanos = _messageNanos;
        }

        private void Hold(ReadOnlySpan<byte> bytes)
        {
            Open();
            var kept = Math.Min(bytes.Length, _line.Length - _held);
            bytes[..kept].CopyTo(_line.AsSpan(_held));
            _held += kept;
            _length += bytes.Length;
        }

        /// <summary>The held line, without its carriage return, cut and marked when too long (<see cref="LongLine"/>).</summary>
        private void Emit(List<DockerLine> into)
        {
            var (text, truncated) = LongLine.Text(_line.AsSpan(0, _held), _length, maxLineBytes);
            into.Add(new DockerLine(_lineNanos, stream, text, truncated));
            _open = false;
            _held = 0;
            _length = 0;
        }
    }
}
