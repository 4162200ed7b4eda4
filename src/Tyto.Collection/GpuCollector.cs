using System.Globalization;

namespace Tyto.Collection;

/// <summary>
/// The host's GPUs: NVIDIA ones from a long-running <see cref="NvidiaSmi"/> child, AMD and Intel ones from
/// <c>/sys/class/drm</c>. NVIDIA GPUs come first, numbered as nvidia-smi numbers them; the others follow in card order.
/// </summary>
public sealed class GpuCollector(HostRoot root, NvidiaSmi nvidia) : ISynchronousCollector, IDisposable
{
    /// <summary>Marketing names by AMD device and revision: libdrm's table is read once per card model, not every round.</summary>
    private readonly Dictionary<(string Device, string Revision), string?> _amdNames = [];

    public string Name => "gpu";

    public ISampleSection Collect(DateTime at)
    {
        var gpus = nvidia.Read().ToList();
        var next = gpus.Count == 0 ? 0 : gpus.Max(g => g.Index) + 1;
        foreach (var card in DrmCards())
            gpus.Add(card with { Index = next++ });
        return gpus.Count > 0
            ? new GpuSection(true, gpus)
            : new GpuSection(false, null, $"No AMD or Intel GPU in /sys/class/drm; {nvidia.Problem ?? "nvidia-smi reports no GPU"}");
    }

    public void IntervalChanged(TimeSpan interval) => nvidia.IntervalChanged(interval);

    public void Dispose() => nvidia.Dispose();

    /// <summary>
    /// AMD and Intel cards under <c>sys/class/drm/card*</c> (connectors such as <c>card0-DP-1</c> are not cards), with
    /// what their driver exposes: busy %, VRAM, and the first hwmon's temperature and power. NVIDIA cards are left to nvidia-smi.
    /// </summary>
    private IEnumerable<GpuSample> DrmCards()
    {
        var cards = root.List("sys/class/drm")
            .Where(c => c.Length > 4 && c.StartsWith("card", StringComparison.Ordinal) && c[4..].All(char.IsAsciiDigit))
            .OrderBy(c => int.Parse(c[4..], CultureInfo.InvariantCulture));
        foreach (var card in cards)
        {
            var device = $"sys/class/drm/{card}/device";
            var vendor = root.ReadLine($"{device}/vendor") switch
            {
                "0x1002" => "amd",
                "0x8086" => "intel",
                _ => null,
            };
            // A card unplugged between listing and reading has no vendor file any more.
            if (vendor is null)
                continue;
            var hwmon = root.List($"{device}/hwmon").Order(StringComparer.Ordinal).Select(h => $"{device}/hwmon/{h}").FirstOrDefault();
            yield return new GpuSample(
                0,
                CardName(device, vendor),
                vendor,
                ReadLong($"{device}/gpu_busy_percent"),
                ReadLong($"{device}/mem_info_vram_used"),
                ReadLong($"{device}/mem_info_vram_total"),
                hwmon is null ? null : Temperature(hwmon),
                hwmon is null ? null : (ReadLong($"{hwmon}/power1_average") ?? ReadLong($"{hwmon}/power1_input")) / 1_000_000.0);
        }

        long? ReadLong(string relative) =>
            long.TryParse(root.ReadLine(relative), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

        // amdgpu labels its inputs edge, junction and mem: the edge one is what tools show as "the" GPU temperature.
        double? Temperature(string hwmon)
        {
            var input = root.List(hwmon)
                .Where(f => f.StartsWith("temp", StringComparison.Ordinal) && f.EndsWith("_input", StringComparison.Ordinal))
                .OrderBy(f => root.ReadLine($"{hwmon}/{f[..^"_input".Length]}_label") == "edge" ? 0 : 1)
                .ThenBy(f => f, StringComparer.Ordinal)
                .FirstOrDefault();
            return input is null ? null : root.ReadMilliCelsius($"{hwmon}/{input}");
        }
    }

    /// <summary>
    /// The card's own product name, else the marketing name libdrm's <c>amdgpu.ids</c> gives its device and revision
    /// (as <c>lspci</c> and nvtop show it), else the vendor and PCI device id.
    /// </summary>
    private string CardName(string device, string vendor)
    {
        var product = root.ReadLine($"{device}/product_name");
        if (!string.IsNullOrEmpty(product))
            return product;
        var id = root.ReadLine($"{device}/device")?.Replace("0x", "", StringComparison.Ordinal).ToUpperInvariant();
        var revision = root.ReadLine($"{device}/revision")?.Replace("0x", "", StringComparison.Ordinal).ToUpperInvariant();
        if (vendor == "amd" && id is not null && revision is not null)
        {
            if (!_amdNames.TryGetValue((id, revision), out var name))
                _amdNames[(id, revision)] = name = AmdMarketingName(root, id, revision);
            if (name is not null)
                return name;
        }
        return $"{(vendor == "amd" ? "AMD" : "Intel")} GPU {id}".TrimEnd();
    }

    /// <summary>Looks up <c>device_id, revision_id, product_name</c> in libdrm's table.</summary>
    public static string? AmdMarketingName(HostRoot root, string deviceId, string revision)
    {
        foreach (var line in (root.ReadText("usr/share/libdrm/amdgpu.ids") ?? "").Split('\n'))
        {
            var fields = line.Split(',', 3, StringSplitOptions.TrimEntries);
            if (fields.Length == 3 && !line.StartsWith('#') &&
                string.Equals(fields[0], deviceId, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(fields[1], revision, StringComparison.OrdinalIgnoreCase))
                return fields[2];
        }
        return null;
    }
}
