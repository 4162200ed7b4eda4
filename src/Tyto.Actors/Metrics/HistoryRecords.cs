using System.Buffers.Binary;
using System.Text.Json;
using LinqToDB;
using LinqToDB.Mapping;

namespace Tyto.Actors.Metrics;

/// <summary>A row of <c>history_raw</c>: one sample of one agent, a column per series.</summary>
[Table("history_raw")]
public sealed class RawPointRecord
{
    [Column("agent_id", Length = 64), PrimaryKey(0), NotNull]
    public string AgentId { get; set; } = "";

    /// <summary>Unix milliseconds.</summary>
    [Column("ts"), PrimaryKey(1)]
    public long Timestamp { get; set; }

    [Column("cpu")]
    public double Cpu { get; set; }

    [Column("memory")]
    public double Memory { get; set; }

    [Column("swap")]
    public double Swap { get; set; }

    [Column("load1")]
    public double Load1 { get; set; }

    [Column("load5")]
    public double Load5 { get; set; }

    [Column("load15")]
    public double Load15 { get; set; }

    [Column("disk")]
    public double Disk { get; set; }

    [Column("net_rx")]
    public double NetworkRx { get; set; }

    [Column("net_tx")]
    public double NetworkTx { get; set; }

    [Column("disk_read")]
    public double DiskRead { get; set; }

    [Column("disk_write")]
    public double DiskWrite { get; set; }

    /// <summary>Per-mount and per-interface values as a JSON object keyed <c>kind:label</c>.</summary>
    [Column("labelled", DataType = DataType.Text), Nullable]
    public string? Labelled { get; set; }

    public static RawPointRecord From(RawPoint point) => new()
    {
        AgentId = point.AgentId,
        Timestamp = HistoryTime.ToUnixMs(point.Timestamp),
        Cpu = point[Series.Cpu],
        Memory = point[Series.Memory],
        Swap = point[Series.Swap],
        Load1 = point[Series.Load1],
        Load5 = point[Series.Load5],
        Load15 = point[Series.Load15],
        Disk = point[Series.Disk],
        NetworkRx = point[Series.NetworkRx],
        NetworkTx = point[Series.NetworkTx],
        DiskRead = point[Series.DiskRead],
        DiskWrite = point[Series.DiskWrite],
        Labelled = point.Labelled.Count == 0
            ? null
            : JsonSerializer.Serialize(point.Labelled.ToDictionary(p => p.Key.Key, p => p.Value)),
    };

    public RawPoint ToPoint() => new(
        AgentId,
        HistoryTime.FromUnixMs(Timestamp),
        [Cpu, Memory, Swap, Load1, Load5, Load15, Disk, NetworkRx, NetworkTx, DiskRead, DiskWrite],
        Labelled is null
            ? new Dictionary<LabelledSeries, double>()
            : JsonSerializer.Deserialize<Dictionary<string, double>>(Labelled)!.ToDictionary(p => LabelledSeries.Parse(p.Key), p => p.Value));
}

/// <summary>
/// A row of <c>history_1m</c>, <c>history_5m</c> or <c>history_1h</c> (the table is chosen per query): one
/// bucket of one agent, with avg, min and max per series and the number of samples it holds.
/// </summary>
public sealed class RollupRecord
{
    [Column("agent_id", Length = 64), PrimaryKey(0), NotNull]
    public string AgentId { get; set; } = "";

    /// <summary>The start of the bucket, in Unix milliseconds.</summary>
    [Column("ts"), PrimaryKey(1)]
    public long Timestamp { get; set; }

    [Column("samples")]
    public int Samples { get; set; }

    /// <summary>
    /// Avg, min and max of every <see cref="Series"/> in its order, as little-endian IEEE doubles (264 bytes).
    /// One column instead of 33: a day at 1m reads 1,440 rows, and each column read costs as much as a row.
    /// </summary>
    [Column("stats", DataType = DataType.VarBinary), NotNull]
    public byte[] Stats { get; set; } = [];

    /// <summary>Per-mount and per-interface <c>[avg, min, max, count]</c> as a JSON object keyed <c>kind:label</c>.</summary>
    [Column("labelled", DataType = DataType.Text), Nullable]
    public string? Labelled { get; set; }

    private const int StatsPerSeries = 3;

    public static RollupRecord From(HistoryPoint bucket)
    {
        var stats = new byte[RawPoint.SeriesCount * StatsPerSeries * sizeof(double)];
        for (var i = 0; i < RawPoint.SeriesCount; i++)
        {
            var aggregate = bucket.Series[i];
            var at = stats.AsSpan(i * StatsPerSeries * sizeof(double));
            BinaryPrimitives.WriteDoubleLittleEndian(at, aggregate.Avg);
            BinaryPrimitives.WriteDoubleLittleEndian(at[sizeof(double)..], aggregate.Min);
            BinaryPrimitives.WriteDoubleLittleEndian(at[(2 * sizeof(double))..], aggregate.Max);
        }
        return new RollupRecord
        {
            AgentId = bucket.AgentId,
            Timestamp = HistoryTime.ToUnixMs(bucket.Timestamp),
            Samples = bucket.Samples,
            Stats = stats,
            Labelled = bucket.Labelled.Count == 0
                ? null
                : JsonSerializer.Serialize(bucket.Labelled.ToDictionary(p => p.Key.Key, p => new[] { p.Value.Avg, p.Value.Min, p.Value.Max, p.Value.Count })),
        };
    }

    public HistoryPoint ToPoint()
    {
        var series = new Aggregate[RawPoint.SeriesCount];
        if (Samples > 0)
        {
            for (var i = 0; i < series.Length; i++)
            {
                var at = Stats.AsSpan(i * StatsPerSeries * sizeof(double));
                series[i] = Aggregate.FromStats(
                    BinaryPrimitives.ReadDoubleLittleEndian(at),
                    BinaryPrimitives.ReadDoubleLittleEndian(at[sizeof(double)..]),
                    BinaryPrimitives.ReadDoubleLittleEndian(at[(2 * sizeof(double))..]),
                    Samples);
            }
        }
        return new HistoryPoint(
            AgentId,
            HistoryTime.FromUnixMs(Timestamp),
            Samples,
            series,
            Labelled is null
                ? []
                : JsonSerializer.Deserialize<Dictionary<string, double[]>>(Labelled)!.ToDictionary(
                    p => LabelledSeries.Parse(p.Key), p => Aggregate.FromStats(p.Value[0], p.Value[1], p.Value[2], (int)p.Value[3])));
    }
}

/// <summary>A row of <c>history_agents</c>: every agent history holds points of, so restore and pruning can walk them by index.</summary>
[Table("history_agents")]
public sealed class HistoryAgentRecord
{
    [Column("agent_id", Length = 64), PrimaryKey, NotNull]
    public string AgentId { get; set; } = "";

    [Column("first_seen")]
    public long FirstSeen { get; set; }
}

/// <summary>History stores times as Unix milliseconds, which sort and compare the same on SQLite and PostgreSQL.</summary>
public static class HistoryTime
{
    public static long ToUnixMs(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    public static DateTime FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
}
