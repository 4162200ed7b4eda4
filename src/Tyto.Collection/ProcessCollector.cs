using System.Globalization;
using System.Text;

namespace Tyto.Collection;

/// <summary>The fields of <c>/proc/[pid]/stat</c> that Tyto uses.</summary>
public readonly record struct ProcessStat(
    int Pid, string Name, char State, long CpuTicks, int Threads, long StartTicks, long RssPages);

/// <summary>One row of the process list: what the last collection saw, with the command line read when asked.</summary>
public sealed record ProcessListing(
    int Pid, string Name, string Cmdline, string User, string State, double Cpu, long Memory, int Threads);

/// <summary>Everything about one process that the process details endpoint shows.</summary>
public sealed record ProcessDetails(
    int Pid, string Name, string Cmdline, string User, string State, double Cpu, long Memory, int Threads, DateTime StartTime);

/// <summary>
/// Every process on the host, with CPU % from per-process tick deltas between collections; top ten by CPU and by
/// memory go into the sample, the rest stays here for process queries.
/// </summary>
public sealed class ProcessCollector(HostRoot root) : ISynchronousCollector
{
    /// <summary>USER_HZ: the kernel reports process times in 1/100 s on every Linux architecture.</summary>
    public const int ClockTicksPerSecond = 100;

    private const int TopCount = 10;

    private static readonly long PageSize = Environment.SystemPageSize;

    private readonly byte[] _buffer = new byte[4096];
    private readonly UserNames _users = new(root);
    private Dictionary<int, Tracked> _tracked = [];
    private DateTime _previousAt;

    public string Name => "processes";

    public ISampleSection Collect(DateTime at)
    {
        var elapsedSeconds = (at - _previousAt).TotalSeconds;
        var tracked = new Dictionary<int, Tracked>(_tracked.Count + 16);
        var samples = new List<ProcessSample>(_tracked.Count + 16);
        foreach (var pid in ListPids())
        {
            if (ReadStat(pid) is not { } stat)
                continue;
            var cpu = 0.0;
            string user;
            if (_tracked.TryGetValue(pid, out var before) && before.Stat.StartTicks == stat.StartTicks)
            {
                user = before.User;
                if (elapsedSeconds > 0 && stat.CpuTicks >= before.Stat.CpuTicks)
                    cpu = Math.Round(100.0 * (stat.CpuTicks - before.Stat.CpuTicks) / (elapsedSeconds * ClockTicksPerSecond), 1);
            }
            else
            {
                user = ReadUser(pid);
            }
            tracked[pid] = new Tracked(stat, user, cpu);
            samples.Add(new ProcessSample(pid, stat.Name, user, cpu, stat.RssPages * PageSize));
        }
        _tracked = tracked;
        _previousAt = at;

        var byCpu = samples.OrderByDescending(p => p.Cpu).ThenByDescending(p => p.Memory).Take(TopCount).ToList();
        var byMemory = samples.OrderByDescending(p => p.Memory).ThenByDescending(p => p.Cpu).Take(TopCount).ToList();
        return new ProcessesSection(byCpu, byMemory, samples.Count);
    }

    /// <summary>Details of one process, or null when there is no such process.</summary>
    public ProcessDetails? Details(int pid)
    {
        if (ReadStat(pid) is not { } stat)
            return null;
        var cpu = _tracked.TryGetValue(pid, out var known) && known.Stat.StartTicks == stat.StartTicks ? known.Cpu : 0;
        var bootTime = ParseBootTime(root.ReadText("proc/stat") ?? "");
        return new ProcessDetails(
            stat.Pid,
            stat.Name,
            Cmdline(stat),
            ReadUser(pid),
            stat.State.ToString(),
            cpu,
            stat.RssPages * PageSize,
            stat.Threads,
            bootTime.AddSeconds((double)stat.StartTicks / ClockTicksPerSecond));
    }

    /// <summary>
    /// Signals a process the last collection saw and that is still the same process (a pid reused since is another
    /// one), where the pids read are the ones the kernel signals.
    /// </summary>
    public SignalOutcome Signal(int pid, int signal)
    {
        if (!ProcessSignals.SharesPidNamespace(root))
            return SignalOutcome.OtherPidNamespace;
        if (!_tracked.TryGetValue(pid, out var seen) || ReadStat(pid)?.StartTicks != seen.Stat.StartTicks)
            return SignalOutcome.NoSuchProcess;
        return ProcessSignals.Send(pid, signal);
    }

    /// <summary>
    /// The processes of the last collection that <paramref name="query"/> selects, in its order; the command line is
    /// read now, for the text filter and for the rows returned.
    /// </summary>
    public ProcessList List(ListProcesses query)
    {
        IEnumerable<(Tracked Process, Lazy<string> Cmdline)> selected = _tracked.Values
            .Where(p => query.User is null || p.User == query.User)
            .Select(p => (p, new Lazy<string>(() => Cmdline(p.Stat))));
        if (query.Text is { } text)
        {
            selected = selected.Where(p =>
                p.Process.Stat.Name.Contains(text, StringComparison.OrdinalIgnoreCase) ||
                p.Cmdline.Value.Contains(text, StringComparison.OrdinalIgnoreCase));
        }
        var matched = query.Sort switch
        {
            ProcessSort.Memory => selected.OrderByDescending(p => p.Process.Stat.RssPages).ThenByDescending(p => p.Process.Cpu),
            ProcessSort.Pid => selected.OrderBy(p => p.Process.Stat.Pid),
            ProcessSort.Name => selected.OrderBy(p => p.Process.Stat.Name, StringComparer.OrdinalIgnoreCase),
            _ => selected.OrderByDescending(p => p.Process.Cpu).ThenByDescending(p => p.Process.Stat.RssPages),
        };
        var ordered = matched.ThenBy(p => p.Process.Stat.Pid).ToList();
        var rows = ordered
            .Take(query.Limit ?? int.MaxValue)
            .Select(p => new ProcessListing(
                p.Process.Stat.Pid, p.Process.Stat.Name, p.Cmdline.Value, p.Process.User, p.Process.Stat.State.ToString(),
                p.Process.Cpu, p.Process.Stat.RssPages * PageSize, p.Process.Stat.Threads))
            .ToList();
        return new ProcessList(_previousAt, _tracked.Count, ordered.Count, rows);
    }

    /// <summary>Parses one <c>/proc/[pid]/stat</c>; the name sits in parentheses and may itself contain spaces and parentheses.</summary>
    public static ProcessStat? ParseStat(ReadOnlySpan<byte> stat)
    {
        var open = stat.IndexOf((byte)'(');
        var close = stat.LastIndexOf((byte)')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
            return null;
        if (!int.TryParse(stat[..open].Trim((byte)' '), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            return null;
        var name = Encoding.UTF8.GetString(stat[(open + 1)..close]);

        // Fields after the name, counted from 0: state(0) ... utime(11) stime(12) ... num_threads(17) ... starttime(19) vsize(20) rss(21).
        var rest = stat[(close + 2)..];
        Span<long> values = stackalloc long[22];
        var state = (char)rest[0];
        for (var field = 0; field < 22 && !rest.IsEmpty; field++)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            if (field > 0)
                values[field] = long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;
            rest = space < 0 ? [] : rest[(space + 1)..];
        }
        return new ProcessStat(pid, name, state, values[11] + values[12], (int)values[17], values[19], values[21]);
    }

    /// <summary>The boot time (<c>btime</c>) from <c>/proc/stat</c>.</summary>
    public static DateTime ParseBootTime(string stat)
    {
        foreach (var line in stat.Split('\n'))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal) &&
                long.TryParse(line.AsSpan(6), CultureInfo.InvariantCulture, out var seconds))
                return DateTime.UnixEpoch.AddSeconds(seconds);
        }
        return DateTime.UnixEpoch;
    }

    /// <summary>The real uid from the <c>Uid:</c> line of <c>/proc/[pid]/status</c>.</summary>
    public static uint? ParseUid(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("Uid:", StringComparison.Ordinal))
                continue;
            var real = line[4..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return uint.TryParse(real, CultureInfo.InvariantCulture, out var uid) ? uid : null;
        }
        return null;
    }

    private IEnumerable<int> ListPids()
    {
        foreach (var name in root.List("proc"))
        {
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, CultureInfo.InvariantCulture, out var pid))
                yield return pid;
        }
    }

    private ProcessStat? ReadStat(int pid)
    {
        var length = root.ReadInto($"proc/{pid}/stat", _buffer);
        return length <= 0 ? null : ParseStat(_buffer.AsSpan(0, length));
    }

    /// <summary>The command line with its NULs as spaces; kernel threads have none and show as <c>[name]</c>, as ps does.</summary>
    private string Cmdline(ProcessStat stat)
    {
        var cmdline = root.ReadText($"proc/{stat.Pid}/cmdline")?.Replace('\0', ' ').TrimEnd();
        return string.IsNullOrEmpty(cmdline) ? $"[{stat.Name}]" : cmdline;
    }

    private string ReadUser(int pid) =>
        ParseUid(root.ReadText($"proc/{pid}/status") ?? "") is { } uid ? _users.NameOf(uid) : "";

    private sealed record Tracked(ProcessStat Stat, string User, double Cpu);
}

/// <summary>User names by uid from the host's <c>/etc/passwd</c>, re-read when an unknown uid shows up.</summary>
public sealed class UserNames(HostRoot root)
{
    private Dictionary<uint, string> _names = [];

    public string NameOf(uint uid)
    {
        if (_names.TryGetValue(uid, out var name))
            return name;
        _names = ParsePasswd(root.ReadText("etc/passwd") ?? "");
        if (!_names.ContainsKey(uid))
            _names[uid] = uid.ToString(CultureInfo.InvariantCulture);
        return _names[uid];
    }

    public static Dictionary<uint, string> ParsePasswd(string passwd)
    {
        var result = new Dictionary<uint, string>();
        foreach (var line in passwd.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out var uid))
                result.TryAdd(uid, fields[0]);
        }
        return result;
    }
}
