using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Tyto.Collection;

/// <summary>
/// Once a minute hands back memory the process holds but does not use (bench/README.md, sections 5 and 7): the slack of a
/// small managed heap, which DATAS otherwise returns over tens of minutes, and the free pages glibc keeps of what the
/// runtime, SQLite, LiteDB and OpenSSL freed. Server nodes and agents both run it.
/// </summary>
public sealed partial class MemoryTrimmer(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Above this the process is busy, and a full compacting collection would cost more than it returns.</summary>
    public const long SmallHeapBytes = 32 << 20;

    /// <summary>Compacts the managed heap and decommits its free space, if the heap is below <paramref name="limitBytes"/>.</summary>
    public static bool CompactSmallHeap(long limitBytes)
    {
        if (GC.GetGCMemoryInfo().HeapSizeBytes >= limitBytes)
            return false;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }

    /// <summary>Returns the free pages of every malloc arena to the system; false where the C library cannot (not glibc).</summary>
    public static bool TrimCHeap()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cHeap = true;
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            CompactSmallHeap(SmallHeapBytes);
            cHeap = cHeap && TrimCHeap();
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
