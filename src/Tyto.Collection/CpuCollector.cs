using System.Globalization;

namespace Tyto.Collection;

/// <summary>Jiffies a CPU (or all of them, <see cref="Id"/> -1) spent busy and in total since boot.</summary>
public readonly record struct CpuTimes(int Id, long Busy, long Total)
{
    /// <summary>Busy share of the time between two readings, in percent.</summary>
    public static double UsageBetween(CpuTimes previous, CpuTimes current)
    {
        var total = current.Total - previous.Total;
        var busy = current.Busy - previous.Busy;
        return total <= 0 || busy < 0 ? 0 : Math.Round(Math.Min(100.0, 100.0 * busy / total), 1);
    }
}

/// <summary>Per-core and total CPU usage from <c>/proc/stat</c> deltas, frequencies and load average.</summary>
public sealed class CpuCollector(HostRoot root) : ISynchronousCollector
{
    private Dictionary<int, CpuTimes> _previous = [];

    public string Name => "cpu";

    public ISampleSection Collect(DateTime at)
    {
        var times = ParseStat(root.ReadText("proc/stat") ?? "");
        var current = times.ToDictionary(t => t.Id);
        var frequencies = ReadFrequencies(times.Where(t => t.Id >= 0).Select(t => t.Id));
        double Usage(CpuTimes t) => _previous.TryGetValue(t.Id, out var before) ? CpuTimes.UsageBetween(before, t) : 0;

        var cores = times.Where(t => t.Id >= 0)
            .Select(t => new CpuCore(t.Id, Usage(t), frequencies.GetValueOrDefault(t.Id)))
            .ToList();
        var total = current.TryGetValue(-1, out var all) ? Usage(all) : 0;
        _previous = current;
        return new CpuSection(cores, total, ParseLoadAverage(root.ReadText("proc/loadavg")));
    }

    /// <summary>The <c>cpu</c> and <c>cpuN</c> lines of <c>/proc/stat</c>; the aggregate line gets id -1.</summary>
    public static IReadOnlyList<CpuTimes> ParseStat(string stat)
    {
        var result = new List<CpuTimes>();
        foreach (var line in stat.Split('\n'))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal))
                continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var id = fields[0] == "cpu" ? -1 : int.Parse(fields[0].AsSpan(3), CultureInfo.InvariantCulture);
            // user nice system idle iowait irq softirq steal; guest time is already counted in user.
            var values = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = values.Sum();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            result.Add(new CpuTimes(id, total - idle, total));
        }
        return result;
    }

    public static LoadAverage ParseLoadAverage(string? loadavg)
    {
        var fields = (loadavg ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double At(int i) => fields.Length > i && double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new LoadAverage(At(0), At(1), At(2));
    }

    /// <summary>"cpu MHz" per processor from <c>/proc/cpuinfo</c>, for hosts without cpufreq.</summary>
    public static IReadOnlyDictionary<int, int> ParseCpuInfoFrequencies(string cpuinfo)
    {
        var result = new Dictionary<int, int>();
        var processor = -1;
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "processor")
                processor = int.Parse(value, CultureInfo.InvariantCulture);
            else if (key == "cpu MHz" && processor >= 0 && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz))
                result[processor] = (int)Math.Round(mhz);
        }
        return result;
    }

    private Dictionary<int, int> ReadFrequencies(IEnumerable<int> cores)
    {
        var result = new Dictionary<int, int>();
        IReadOnlyDictionary<int, int>? cpuinfo = null;
        foreach (var core in cores)
        {
            // Most virtual machines have no cpufreq: asking first costs a stat, opening a missing file an exception.
            var path = $"sys/devices/system/cpu/cpu{core}/cpufreq/scaling_cur_freq";
            if (root.Exists(path) && long.TryParse(root.ReadLine(path), CultureInfo.InvariantCulture, out var value))
            {
                result[core] = (int)(value / 1000);
                continue;
            }
            cpuinfo ??= ParseCpuInfoFrequencies(root.ReadText("proc/cpuinfo") ?? "");
            result[core] = cpuinfo.GetValueOrDefault(core);
        }
        return result;
    }
}
