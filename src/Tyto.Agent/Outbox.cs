using LiteDB;
using Tyto.Collection;
using Tyto.Collection.Channel;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Tyto.Agent;

/// <summary>A sample waiting in the outbox under its sequence number.</summary>
public sealed record OutboxSample(long Seq, MetricsSample Sample);

/// <summary>
/// Where every sample of the agent waits until the server acknowledged it: a LiteDB file whose journal keeps what was
/// written across a crash. Sequence numbers only grow, also across restarts. Bounded by the bytes of the samples it
/// holds: beyond the bound the oldest go, and a persisted counter says how many.
/// </summary>
public sealed class Outbox : IDisposable
{
    public const string FileName = "outbox.db";

    /// <summary>Log pages written before LiteDB copies them into the data file and empties its log.</summary>
    public const int CheckpointPages = 100;

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<StoredSample> _samples;
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
        _counters = _database.GetCollection<OutboxCounters>("counters");
        _state = _counters.FindById(OutboxCounters.Key) ?? new OutboxCounters();
        Buffered = _samples.Count();
    }

    /// <summary>Samples held, not yet acknowledged.</summary>
    public long Buffered { get; private set; }

    /// <summary>Samples let go unacknowledged because the outbox was full, since it was created.</summary>
    public long Dropped => _state.Dropped;

    /// <summary>The sequence number of the last sample appended; 0 before the first.</summary>
    public long LastSeq => _state.LastSeq;

    /// <summary>The bytes of the samples held, what <c>Tyto:Agent:OutboxMaxMb</c> bounds.</summary>
    public long Bytes => _state.Bytes;

    /// <summary>The outbox in <paramref name="path"/>, created there when missing.</summary>
    public static Outbox Open(string path, long maxBytes) => new(path, maxBytes);

    /// <summary>The timestamp of the oldest sample held, if any.</summary>
    public DateTime? OldestTimestamp =>
        _samples.Query().OrderBy(s => s.Id).Limit(1).FirstOrDefault() is { } oldest ? DateTime.UnixEpoch.AddMilliseconds(oldest.At) : null;

    /// <summary>Stores <paramref name="sample"/> under the next sequence number, letting the oldest go while the outbox is over its bound.</summary>
    public long Append(MetricsSample sample)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(sample, AgentWire.SampleJson);
        _database.BeginTrans();
        var seq = ++_state.LastSeq;
        _samples.Insert(new StoredSample { Id = seq, At = (long)(sample.Timestamp - DateTime.UnixEpoch).TotalMilliseconds, Payload = payload });
        _state.Bytes += payload.Length;
        Buffered++;
        while (_state.Bytes > _maxBytes && Buffered > 1)
        {
            var oldest = _samples.Query().OrderBy(s => s.Id).Limit(1).First();
            _samples.Delete(oldest.Id);
            _state.Bytes -= oldest.Payload.Length;
            _state.Dropped++;
            Buffered--;
        }
        _counters.Upsert(_state);
        _database.Commit();
        return seq;
    }

    /// <summary>Lets the acknowledged samples go; sequence numbers no longer held are ignored.</summary>
    public void Acknowledge(IEnumerable<long> seqs)
    {
        _database.BeginTrans();
        foreach (var seq in seqs)
        {
            if (_samples.FindById(seq) is not { } stored)
                continue;
            _samples.Delete(seq);
            _state.Bytes -= stored.Payload.Length;
            Buffered--;
        }
        _counters.Upsert(_state);
        _database.Commit();
    }

    /// <summary>Up to <paramref name="count"/> samples held with a sequence number above <paramref name="after"/>, oldest first.</summary>
    public IReadOnlyList<OutboxSample> Oldest(int count, long after = 0) =>
        [.. _samples.Query().Where(s => s.Id > after).OrderBy(s => s.Id).Limit(count).ToEnumerable().Select(ToSample)];

    /// <summary>The sample held under <paramref name="seq"/>, if it still is.</summary>
    public OutboxSample? Find(long seq) => _samples.FindById(seq) is { } stored ? ToSample(stored) : null;

    public void Dispose() => _database.Dispose();

    private static OutboxSample ToSample(StoredSample stored) =>
        new(stored.Id, JsonSerializer.Deserialize<MetricsSample>(stored.Payload, AgentWire.SampleJson)!);

    /// <summary>One row of the outbox: the sample as JSON, its timestamp in Unix milliseconds.</summary>
    private sealed class StoredSample
    {
        public long Id { get; set; }

        public long At { get; set; }

        public byte[] Payload { get; set; } = [];
    }

    /// <summary>The outbox's one row of counters, written in the transaction of each change.</summary>
    private sealed class OutboxCounters
    {
        public const int Key = 1;

        public int Id { get; set; } = Key;

        public long LastSeq { get; set; }

        public long Dropped { get; set; }

        public long Bytes { get; set; }
    }
}
