using Tyto.Collection;

namespace Tyto.Actors.Metrics;

/// <summary>The series every raw point carries, one value each, in the order of <see cref="RawPoint.Values"/>.</summary>
public enum Series
{
    /// <summary>Total CPU usage, %.</summary>
    Cpu,

    /// <summary>Memory used, % of total.</summary>
    Memory,

    /// <summary>Swap used, % of total (0 without swap).</summary>
    Swap,

    Load1,
    Load5,
    Load15,

    /// <summary>Used % of the fullest mount.</summary>
    Disk,

    /// <summary>Bytes/s received over every interface but loopback.</summary>
    NetworkRx,

    /// <summary>Bytes/s sent over every interface but loopback.</summary>
    NetworkTx,

    /// <summary>Bytes/s read from every whole disk.</summary>
    DiskRead,

    /// <summary>Bytes/s written to every whole disk.</summary>
    DiskWrite,
}

/// <summary>A series that exists once per mount (used %) or per interface (rx or tx bytes/s), named by its label.</summary>
public readonly record struct LabelledSeries(string Kind, string Label)
{
    public const string Mount = "mount";
    public const string Rx = "rx";
    public const string Tx = "tx";

    /// <summary>How the series is stored: <c>kind:label</c>; a label may itself hold colons.</summary>
    public string Key => $"{Kind}:{Label}";

    public static LabelledSeries Parse(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? new LabelledSeries(key[..colon], key[(colon + 1)..]) : throw new FormatException($"'{key}' is not a labelled series key");
    }
}

/// <summary>
/// One sample of one agent reduced to the series history keeps. Percentages and loads are rounded to two
/// decimals and rates to whole bytes/s, which is all a chart shows and keeps the stored row small.
/// </summary>
public sealed record RawPoint(string AgentId, DateTime Timestamp, IReadOnlyList<double> Values, IReadOnlyDictionary<LabelledSeries, double> Labelled)
{
    public static readonly int SeriesCount = Enum.GetValues<Series>().Length;

    public double this[Series series] => Values[(int)series];

    public static RawPoint From(MetricsSample sample)
    {
        var memory = sample.Memory;
        var load = sample.Cpu.LoadAverage;
        var mounts = sample.Disk.Mounts.Where(m => m.Total > 0).ToList();
        var interfaces = sample.Network.Interfaces.Where(i => i.Name != "lo").ToList();
        var values = new double[SeriesCount];
        values[(int)Series.Cpu] = Hundredths(sample.Cpu.TotalUsage);
        values[(int)Series.Memory] = Ratio(memory.Used, memory.Total);
        values[(int)Series.Swap] = Ratio(memory.SwapUsed, memory.SwapTotal);
        values[(int)Series.Load1] = Hundredths(load.One);
        values[(int)Series.Load5] = Hundredths(load.Five);
        values[(int)Series.Load15] = Hundredths(load.Fifteen);
        values[(int)Series.Disk] = mounts.Count == 0 ? 0 : mounts.Max(m => Ratio(m.Used, m.Total));
        values[(int)Series.NetworkRx] = Math.Round(interfaces.Sum(i => i.RxRate));
        values[(int)Series.NetworkTx] = Math.Round(interfaces.Sum(i => i.TxRate));
        values[(int)Series.DiskRead] = Math.Round(sample.Disk.Io.Sum(d => d.ReadRate));
        values[(int)Series.DiskWrite] = Math.Round(sample.Disk.Io.Sum(d => d.WriteRate));

        var labelled = new Dictionary<LabelledSeries, double>();
        foreach (var mount in mounts)
            labelled.TryAdd(new LabelledSeries(LabelledSeries.Mount, mount.Mountpoint), Ratio(mount.Used, mount.Total));
        foreach (var network in interfaces)
        {
            labelled.TryAdd(new LabelledSeries(LabelledSeries.Rx, network.Name), Math.Round(network.RxRate));
            labelled.TryAdd(new LabelledSeries(LabelledSeries.Tx, network.Name), Math.Round(network.TxRate));
        }
        return new RawPoint(sample.AgentId, sample.Timestamp.TruncateToMillisecond(), values, labelled);
    }

    private static double Hundredths(double value) => Math.Round(value, 2);

    private static double Ratio(long part, long whole) => whole <= 0 ? 0 : Hundredths(100.0 * part / whole);
}
