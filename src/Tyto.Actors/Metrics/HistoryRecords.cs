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

/// <summary>Average, minimum and maximum of one series in a rollup row: three columns.</summary>
public sealed class StatsColumns
{
    public double Avg { get; set; }

    public double Min { get; set; }

    public double Max { get; set; }

    public static StatsColumns From(Aggregate aggregate) => new() { Avg = aggregate.Avg, Min = aggregate.Min, Max = aggregate.Max };

    public Aggregate ToAggregate(int count) => count == 0 ? default : Aggregate.FromStats(Avg, Min, Max, count);
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

    [Column("cpu_avg", ".Avg"), Column("cpu_min", ".Min"), Column("cpu_max", ".Max")]
    public StatsColumns Cpu { get; set; } = new();

    [Column("memory_avg", ".Avg"), Column("memory_min", ".Min"), Column("memory_max", ".Max")]
    public StatsColumns Memory { get; set; } = new();

    [Column("swap_avg", ".Avg"), Column("swap_min", ".Min"), Column("swap_max", ".Max")]
    public StatsColumns Swap { get; set; } = new();

    [Column("load1_avg", ".Avg"), Column("load1_min", ".Min"), Column("load1_max", ".Max")]
    public StatsColumns Load1 { get; set; } = new();

    [Column("load5_avg", ".Avg"), Column("load5_min", ".Min"), Column("load5_max", ".Max")]
    public StatsColumns Load5 { get; set; } = new();

    [Column("load15_avg", ".Avg"), Column("load15_min", ".Min"), Column("load15_max", ".Max")]
    public StatsColumns Load15 { get; set; } = new();

    [Column("disk_avg", ".Avg"), Column("disk_min", ".Min"), Column("disk_max", ".Max")]
    public StatsColumns Disk { get; set; } = new();

    [Column("net_rx_avg", ".Avg"), Column("net_rx_min", ".Min"), Column("net_rx_max", ".Max")]
    public StatsColumns NetworkRx { get; set; } = new();

    [Column("net_tx_avg", ".Avg"), Column("net_tx_min", ".Min"), Column("net_tx_max", ".Max")]
    public StatsColumns NetworkTx { get; set; } = new();

    [Column("disk_read_avg", ".Avg"), Column("disk_read_min", ".Min"), Column("disk_read_max", ".Max")]
    public StatsColumns DiskRead { get; set; } = new();

    [Column("disk_write_avg", ".Avg"), Column("disk_write_min", ".Min"), Column("disk_write_max", ".Max")]
    public StatsColumns DiskWrite { get; set; } = new();

    /// <summary>Per-mount and per-interface <c>[avg, min, max, count]</c> as a JSON object keyed <c>kind:label</c>.</summary>
    [Column("labelled", DataType = DataType.Text), Nullable]
    public string? Labelled { get; set; }

    public static RollupRecord From(HistoryPoint bucket) => new()
    {
        AgentId = bucket.AgentId,
        Timestamp = HistoryTime.ToUnixMs(bucket.Timestamp),
        Samples = bucket.Samples,
        Cpu = StatsColumns.From(bucket[Series.Cpu]),
        Memory = StatsColumns.From(bucket[Series.Memory]),
        Swap = StatsColumns.From(bucket[Series.Swap]),
        Load1 = StatsColumns.From(bucket[Series.Load1]),
        Load5 = StatsColumns.From(bucket[Series.Load5]),
        Load15 = StatsColumns.From(bucket[Series.Load15]),
        Disk = StatsColumns.From(bucket[Series.Disk]),
        NetworkRx = StatsColumns.From(bucket[Series.NetworkRx]),
        NetworkTx = StatsColumns.From(bucket[Series.NetworkTx]),
        DiskRead = StatsColumns.From(bucket[Series.DiskRead]),
        DiskWrite = StatsColumns.From(bucket[Series.DiskWrite]),
        Labelled = bucket.Labelled.Count == 0
            ? null
            : JsonSerializer.Serialize(bucket.Labelled.ToDictionary(p => p.Key.Key, p => new[] { p.Value.Avg, p.Value.Min, p.Value.Max, p.Value.Count })),
    };

    public HistoryPoint ToPoint() => new(
        AgentId,
        HistoryTime.FromUnixMs(Timestamp),
        Samples,
        [.. new[] { Cpu, Memory, Swap, Load1, Load5, Load15, Disk, NetworkRx, NetworkTx, DiskRead, DiskWrite }.Select(s => s.ToAggregate(Samples))],
        Labelled is null
            ? []
            : JsonSerializer.Deserialize<Dictionary<string, double[]>>(Labelled)!.ToDictionary(
                p => LabelledSeries.Parse(p.Key), p => Aggregate.FromStats(p.Value[0], p.Value[1], p.Value[2], (int)p.Value[3])));
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
