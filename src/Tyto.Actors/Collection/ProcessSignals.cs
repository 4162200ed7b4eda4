using System.Runtime.InteropServices;

namespace Tyto.Actors.Collection;

/// <summary>Outcome of sending a signal to a process.</summary>
public enum SignalOutcome
{
    Sent,
    NoSuchProcess,
    NotPermitted,
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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
