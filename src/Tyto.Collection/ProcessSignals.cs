using System.Globalization;
using System.Runtime.InteropServices;

namespace Tyto.Collection;

/// <summary>Outcome of sending a signal to a process.</summary>
public enum SignalOutcome
{
    Sent,
    NoSuchProcess,
    NotPermitted,

    /// <summary>The processes are read from another pid namespace than the one signals reach, so nothing was sent.</summary>
    OtherPidNamespace,
}

/// <summary>Sends POSIX signals to processes of this host.</summary>
public static partial class ProcessSignals
{
    /// <summary>Standard signals an operator may send; real-time signals are not offered.</summary>
    public static bool IsValid(int signal) => signal is >= 1 and <= 31;

    private const int EPERM = 1;

    public static SignalOutcome Send(int pid, int signal)
    {
        if (pid <= 0)
            return SignalOutcome.NoSuchProcess;
        if (Kill(pid, signal) == 0)
            return SignalOutcome.Sent;
        return Marshal.GetLastPInvokeError() == EPERM ? SignalOutcome.NotPermitted : SignalOutcome.NoSuchProcess;
    }

    /// <summary>
    /// Whether the pids under <paramref name="root"/>'s <c>proc</c> are the ones <c>kill</c> reaches: that procfs is
    /// live and of this process's own pid namespace. A captured tree has no <c>self/ns/pid</c> link to this process's
    /// namespace. A host's procfs mounted into a container still shows this process as <c>self</c>, but numbers it in
    /// the host's namespace: its <c>NSpid</c> then lists a pid per namespace down to this one's, not just this one's.
    /// </summary>
    public static bool SharesPidNamespace(HostRoot root) =>
        new FileInfo(root.Resolve("proc/self/ns/pid")).LinkTarget is { } namespaceLink &&
        namespaceLink == new FileInfo("/proc/self/ns/pid").LinkTarget &&
        ParseNamespacePids(root.ReadText("proc/self/status") ?? "") is [var pid] &&
        pid == Environment.ProcessId;

    /// <summary>
    /// The <c>NSpid:</c> line of <c>/proc/[pid]/status</c>: the process's pid in each namespace from the one of the
    /// procfs read down to its own; empty where the line is missing.
    /// </summary>
    public static IReadOnlyList<int> ParseNamespacePids(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("NSpid:", StringComparison.Ordinal))
                continue;
            var pids = new List<int>();
            foreach (var field in line[6..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                    return [];
                pids.Add(pid);
            }
            return pids;
        }
        return [];
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
