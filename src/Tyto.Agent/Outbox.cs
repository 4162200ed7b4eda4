using LiteDB;
using Tyto.Collection;
using Tyto.Collection.Channel;
using Tyto.Collection.Logs;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Tyto.Agent;

/// <summary>
/// Where every sample and log entry of the agent waits until the server acknowledged it: a LiteDB file whose journal
/// keeps what was written across a crash, with the position of each log source after the entries it holds, written in
/// the same transaction. Each sample, and each chunk of log entries, goes under the next sequence number; they only
/// grow, also across restarts, and a new outbox starts above any earlier one (from the clock), so the server never
/// mistakes a reinstalled agent's entries for ones it stored. Bounded by the bytes it holds: beyond the bound the oldest
/// go, samples or logs, and a persisted counter says how many.
/// </summary>
public sealed class Outbox : IDisposable
{
    public const string FileName = "outbox.db";

    /// <summary>Log pages written before LiteDB copies them into the data file and empties its log.</summary>
    public const int CheckpointPages = 100;

    /// <summary>The bytes of log entries (as JSON) one chunk aims at, well inside a channel frame.</summary>
    public const int LogChunkBytes = 256 * 1024;

    /// <summary>The most bytes one log entry may take in a chunk; a larger one keeps the start of its message and the field <c>truncated</c> only.</summary>
    public const int MaxEntryBytes = AgentWire.MaxFrameBytes / 2;

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<StoredSample> _samples;
    private readonly ILiteCollection<StoredLogs> _logs;
    private readonly ILiteCollection<StoredPosition> _positions;
    private readonly ILiteCollection<OutboxCounters> _counters;
    private readonly OutboxCounters _state;
    private readonly long _maxBytes;

    private Outbox(string path, long maxBytes)
    {
        _maxBytes = maxBytes;
        _database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        // LiteDB's page cache keeps every log page written since the last checkpoint, and grows in segments of up to
        // 8 MB to hold them: 1,000 pages by default, 13.6 MB of cache for an agent's outbox; 100 keep it at 1.3. The
        // setting lives in the file's header: only a new outbox needs it written.
        if (_database.CheckpointSize != CheckpointPages)
            _database.CheckpointSize = CheckpointPages;
        _samples = _database.GetCollection<StoredSample>("samples");
        _logs = _database.GetCollection<StoredLogs>("logs");
        _positions = _database.GetCollection<StoredPosition>("positions");
        _counters = _database.GetCollection<OutboxCounters>("counters");
        // A thousand sequence numbers a millisecond since 1970: more than an outbox ever takes, so a new outbox's
        // first number is above the last of any outbox this agent had before.
        _state = _counters.FindById(OutboxCounters.Key) ?? new OutboxCounters { LastSeq = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 };
        Buffered = _samples.Count() + _logs.Count();
    }

    /// <summary>Samples and chunks of log entries held, not yet acknowledged.</summary>
    public long Buffered { get; private set; }

    /// <summary>Samples and chunks of log entries let go unacknowledged because the outbox was full, since it was created.</summary>
    public long Dropped => _state.Dropped;

    /// <summary>Samples appended since the outbox was created.</summary>
    public long SamplesTaken => _state.Samples;

    /// <summary>The sequence number of the last sample or chunk appended; below every later one.</summary>
    public long LastSeq => _state.LastSeq;

    /// <summary>The bytes held, what <c>Tyto:Agent:OutboxMaxMb</c> bounds.</summary>
    public long Bytes => _state.Bytes;

    /// <summary>The outbox in <paramref name="path"/>, created there when missing.</summary>
    public static Outbox Open(string path, long maxBytes) => new(path, maxBytes);

    /// <summary>The timestamp of the oldest sample held, if any.</summary>
    public DateTime? OldestTimestamp =>
        _samples.Query().OrderBy(s => s.Id).Limit(1).FirstOrDefault() is { } oldest ? DateTime.UnixEpoch.AddMilliseconds(oldest.At) : null;

    /// <summary>Stores <paramref name="sample"/> under the next sequence number, letting the oldest go while the outbox is over its bound.</summary>
    public SampleFrame Append(MetricsSample sample)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(sample, AgentWire.SampleJson);
        _database.BeginTrans();
        var seq = ++_state.LastSeq;
        _samples.Insert(new StoredSample { Id = seq, At = (long)(sample.Timestamp - DateTime.UnixEpoch).TotalMilliseconds, Payload = payload });
        _state.Samples++;
        Added(payload.Length);
        _counters.Upsert(_state);
        _database.Commit();
        return new SampleFrame(seq, sample);
    }

    /// <summary>
    /// Stores the entries a log source read, in chunks of about <see cref="LogChunkBytes"/> each under the next sequence
    /// number, and the source's position after them, in one transaction; lets the oldest go while over the bound.
    /// </summary>
    public IReadOnlyList<LogsFrame> Append(string source, IReadOnlyList<LogEntry> entries, string? position)
    {
        var frames = new List<LogsFrame>();
        _database.BeginTrans();
        foreach (var (chunk, bytes) in Chunks(entries))
        {
            var seq = ++_state.LastSeq;
            var payload = JsonSerializer.SerializeToUtf8Bytes(chunk, AgentWire.Json);
            _logs.Insert(new StoredLogs { Id = seq, Source = source, Payload = payload });
            Added(payload.Length);
            frames.Add(new LogsFrame(seq, source, chunk));
        }
        if (position is not null)
            _positions.Upsert(new StoredPosition { Id = source, Position = position });
        _counters.Upsert(_state);
        _database.Commit();
        return frames;
    }

    /// <summary>Where the log source <paramref name="source"/> resumes: the position stored with its last entries, if any.</summary>
    public string? Position(string source) => _positions.FindById(source)?.Position;

    /// <summary>Lets the acknowledged samples and chunks go; sequence numbers no longer held are ignored.</summary>
    public void Acknowledge(IEnumerable<long> seqs)
    {
        _database.BeginTrans();
        foreach (var seq in seqs)
        {
            if (Delete(seq) is { } bytes)
            {
                _state.Bytes -= bytes;
                Buffered--;
            }
        }
        _counters.Upsert(_state);
        _database.Commit();
    }

    /// <summary>Up to <paramref name="count"/> samples and chunks held with a sequence number above <paramref name="after"/>, oldest first.</summary>
    public IReadOnlyList<OutboxFrame> Oldest(int count, long after = 0)
    {
        IEnumerable<OutboxFrame> samples = _samples.Query().Where(s => s.Id > after).OrderBy(s => s.Id).Limit(count).ToEnumerable().Select(ToFrame);
        IEnumerable<OutboxFrame> logs = _logs.Query().Where(l => l.Id > after).OrderBy(l => l.Id).Limit(count).ToEnumerable().Select(ToFrame);
        return [.. samples.Concat(logs).OrderBy(f => f.Seq).Take(count)];
    }

    /// <summary>The sample or chunk held under <paramref name="seq"/>, if it still is.</summary>
    public OutboxFrame? Find(long seq) =>
        _samples.FindById(seq) is { } sample ? ToFrame(sample) : _logs.FindById(seq) is { } logs ? ToFrame(logs) : null;

    public void Dispose() => _database.Dispose();

    /// <summary>
    /// Counts <paramref name="bytes"/> more held, and lets the oldest go while over the bound (always keeping the newest);
    /// the caller writes the counters once for its transaction.
    /// </summary>
    private void Added(long bytes)
    {
        _state.Bytes += bytes;
        Buffered++;
        while (_state.Bytes > _maxBytes && Buffered > 1)
        {
            var oldestSample = _samples.Query().OrderBy(s => s.Id).Limit(1).FirstOrDefault()?.Id ?? long.MaxValue;
            var oldestLogs = _logs.Query().OrderBy(l => l.Id).Limit(1).FirstOrDefault()?.Id ?? long.MaxValue;
            _state.Bytes -= Delete(Math.Min(oldestSample, oldestLogs)) ?? 0;
            _state.Dropped++;
            Buffered--;
        }
    }

    /// <summary>Deletes what is held under <paramref name="seq"/>; the bytes it took, or null when nothing was.</summary>
    private int? Delete(long seq)
    {
        if (_samples.FindById(seq) is { } sample)
        {
            _samples.Delete(seq);
            return sample.Payload.Length;
        }
        if (_logs.FindById(seq) is { } logs)
        {
            _logs.Delete(seq);
            return logs.Payload.Length;
        }
        return null;
    }

    /// <summary>The entries in runs of about <see cref="LogChunkBytes"/> as JSON (at most <see cref="LogsFrame.MaxEntries"/>), each entry cut to <see cref="MaxEntryBytes"/>.</summary>
    private static IEnumerable<(List<LogEntry> Chunk, long Bytes)> Chunks(IReadOnlyList<LogEntry> entries)
    {
        var chunk = new List<LogEntry>();
        long bytes = 0;
        foreach (var entry in entries)
        {
            var (fitted, size) = Fitted(entry);
            if (chunk.Count > 0 && (bytes + size > LogChunkBytes || chunk.Count == LogsFrame.MaxEntries))
            {
                yield return (chunk, bytes);
                chunk = [];
                bytes = 0;
            }
            chunk.Add(fitted);
            bytes += size;
        }
        if (chunk.Count > 0)
            yield return (chunk, bytes);
    }

    /// <summary>The entry and its size as JSON; one over <see cref="MaxEntryBytes"/> keeps the start of its message and the field <c>truncated</c> only.</summary>
    private static (LogEntry Entry, long Bytes) Fitted(LogEntry entry)
    {
        var size = JsonSerializer.SerializeToUtf8Bytes(entry, AgentWire.Json).Length;
        if (size <= MaxEntryBytes)
            return (entry, size);
        // A byte of UTF-8 takes at most six as JSON (an escape): so cut, the message fits with room for the rest.
        var cut = entry with { Message = LongLine.Cut(entry.Message, MaxEntryBytes / 8).Text, Fields = LongLine.MarkOnly };
        return (cut, JsonSerializer.SerializeToUtf8Bytes(cut, AgentWire.Json).Length);
    }

    private static SampleFrame ToFrame(StoredSample stored) =>
        new(stored.Id, JsonSerializer.Deserialize<MetricsSample>(stored.Payload, AgentWire.SampleJson)!);

    private static LogsFrame ToFrame(StoredLogs stored) =>
        new(stored.Id, stored.Source, JsonSerializer.Deserialize<List<LogEntry>>(stored.Payload, AgentWire.Json)!);

    /// <summary>One sample of the outbox: as JSON, with its timestamp in Unix milliseconds.</summary>
    private sealed class StoredSample
    {
        public long Id { get; set; }

        public long At { get; set; }

        public byte[] Payload { get; set; } = [];
    }

    /// <summary>One chunk of log entries of the outbox: the key of their source, and the entries as a JSON array.</summary>
    private sealed class StoredLogs
    {
        public long Id { get; set; }

        public string Source { get; set; } = "";

        public byte[] Payload { get; set; } = [];
    }

    /// <summary>Where one log source resumes, keyed by the source's key.</summary>
    private sealed class StoredPosition
    {
        public string Id { get; set; } = "";

        public string Position { get; set; } = "";
    }

    /// <summary>The outbox's one row of counters, written in the transaction of each change.</summary>
    private sealed class OutboxCounters
    {
        public const int Key = 1;

        public int Id { get; set; } = Key;

        public long LastSeq { get; set; }

        public long Samples { get; set; }

        public long Dropped { get; set; }

        public long Bytes { get; set; }
    }
}
