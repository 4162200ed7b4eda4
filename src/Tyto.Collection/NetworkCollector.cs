using System.Globalization;
using System.Net;
using System.Numerics;

namespace Tyto.Collection;

/// <summary>Cumulative bytes received and sent by one interface.</summary>
public readonly record struct InterfaceCounters(string Name, long RxBytes, long TxBytes);

/// <summary>Interfaces with their addresses, byte counters and rates, and the count of established TCP connections.</summary>
public sealed class NetworkCollector(HostRoot root) : ISynchronousCollector
{
    private Dictionary<string, InterfaceCounters> _previous = [];
    private DateTime _previousAt;

    public string Name => "network";

    public ISampleSection Collect(DateTime at)
    {
        var counters = ParseNetDev(root.ReadText("proc/net/dev") ?? "");
        var ipv4 = ParseIpv4Addresses(root.ReadText("proc/net/fib_trie") ?? "", root.ReadText("proc/net/route") ?? "");
        var ipv6 = ParseIpv6Addresses(root.ReadText("proc/net/if_inet6") ?? "");
        var elapsed = at - _previousAt;
        var interfaces = counters.Select(c =>
        {
            var before = _previous.GetValueOrDefault(c.Name, c);
            return new NetworkInterfaceSample(c.Name, ipv4.GetValueOrDefault(c.Name), ipv6.GetValueOrDefault(c.Name),
                c.RxBytes, c.TxBytes, Rates.PerSecond(before.RxBytes, c.RxBytes, elapsed), Rates.PerSecond(before.TxBytes, c.TxBytes, elapsed));
        }).ToList();
        _previous = counters.ToDictionary(c => c.Name);
        _previousAt = at;
        return new NetworkSection(interfaces, ParseEstablished(root.ReadText("proc/net/snmp") ?? ""));
    }

    public static IReadOnlyList<InterfaceCounters> ParseNetDev(string netdev)
    {
        var result = new List<InterfaceCounters>();
        foreach (var line in netdev.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9)
                continue;
            result.Add(new InterfaceCounters(line[..colon].Trim(),
                long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[8], CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>
    /// The first IPv4 address of each interface: local host addresses come from <c>fib_trie</c>, and the
    /// routing table says which interface's subnet holds each.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseIpv4Addresses(string fibTrie, string route)
    {
        var subnets = new List<(string Interface, uint Network, uint Mask)>();
        foreach (var line in route.Split('\n').Skip(1))
        {
            var fields = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length < 8 ||
                !uint.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination) ||
                !uint.TryParse(fields[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) ||
                mask == 0)
                continue;
            subnets.Add((fields[0], destination, mask));
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? candidate = null;
        foreach (var line in fibTrie.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("|-- ", StringComparison.Ordinal))
            {
                candidate = trimmed[4..];
                continue;
            }
            if (candidate is null || trimmed != "/32 host LOCAL" || !IPAddress.TryParse(candidate, out var address))
                continue;
            // /proc/net/route writes addresses in the kernel's (little-endian) byte order, as BitConverter reads them.
            var value = BitConverter.ToUInt32(address.GetAddressBytes());
            var owner = address.GetAddressBytes()[0] == 127
                ? "lo"
                : subnets.Where(s => (value & s.Mask) == s.Network).OrderByDescending(s => BitOperations.PopCount(s.Mask)).Select(s => s.Interface).FirstOrDefault();
            if (owner is not null)
                result.TryAdd(owner, candidate);
            candidate = null;
        }
        return result;
    }

    /// <summary>One IPv6 address per interface from <c>/proc/net/if_inet6</c>, global scope preferred over link-local.</summary>
    public static IReadOnlyDictionary<string, string> ParseIpv6Addresses(string ifInet6)
    {
        var best = new Dictionary<string, (int Rank, string Address)>(StringComparer.Ordinal);
        foreach (var line in ifInet6.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[0].Length != 32)
                continue;
            var bytes = Convert.FromHexString(fields[0]);
            var scope = int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var rank = scope switch { 0x00 => 0, 0x20 => 1, _ => 2 };
            var name = fields[5];
            if (!best.TryGetValue(name, out var current) || rank < current.Rank)
                best[name] = (rank, new IPAddress(bytes).ToString());
        }
        return best.ToDictionary(p => p.Key, p => p.Value.Address, StringComparer.Ordinal);
    }

    /// <summary>
    /// <c>CurrEstab</c> of <c>/proc/net/snmp</c>: TCP connections over IPv4 and IPv6 that are established (or in
    /// CLOSE-WAIT). Counting the lines of <c>/proc/net/tcp</c> instead costs milliseconds of kernel time per read,
    /// however few sockets there are, because the kernel walks its whole connection hash table.
    /// </summary>
    public static int ParseEstablished(string snmp)
    {
        var lines = snmp.Split('\n').Where(l => l.StartsWith("Tcp:", StringComparison.Ordinal)).ToList();
        if (lines.Count < 2)
            return 0;
        var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var column = Array.IndexOf(names, "CurrEstab");
        return column > 0 && column < values.Length && int.TryParse(values[column], CultureInfo.InvariantCulture, out var count) ? count : 0;
    }
}
