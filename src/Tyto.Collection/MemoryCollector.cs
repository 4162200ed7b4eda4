using System.Globalization;

namespace Tyto.Collection;

/// <summary>Memory and swap from <c>/proc/meminfo</c>, with <c>used</c> computed as <c>free</c> does.</summary>
public sealed class MemoryCollector(HostRoot root) : ISynchronousCollector
{
    public string Name => "memory";

    public ISampleSection Collect(DateTime at) => Parse(root.ReadText("proc/meminfo") ?? "");

    public static MemorySection Parse(string meminfo)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in meminfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            var number = line[(colon + 1)..].Trim().Split(' ')[0];
            if (long.TryParse(number, CultureInfo.InvariantCulture, out var kib))
                values[line[..colon]] = kib * 1024;
        }
        long Get(string key) => values.GetValueOrDefault(key);

        var total = Get("MemTotal");
        var free = Get("MemFree");
        var buffers = Get("Buffers");
        // procps' free counts reclaimable slab as cache.
        var cached = Get("Cached") + Get("SReclaimable");
        var available = values.TryGetValue("MemAvailable", out var a) ? a : free + buffers + cached;
        var used = Math.Max(0, total - free - buffers - cached);
        return new MemorySection(total, used, free, available, buffers, cached, Get("SwapTotal"), Get("SwapTotal") - Get("SwapFree"));
    }
}
