using System.Globalization;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class MemoryCollectorTests
{
    private const long KiB = 1024;

    [Fact]
    public void Vm_memory_in_bytes_with_used_as_free_computes_it()
    {
        var memory = (MemorySection)new MemoryCollector(Fixtures.Root(Fixtures.HostVm)).Collect(DateTime.UtcNow);

        Assert.Equal(24_684_084 * KiB, memory.Total);
        Assert.Equal(23_384_388 * KiB, memory.Free);
        Assert.Equal(24_112_348 * KiB, memory.Available);
        Assert.Equal(3_988 * KiB, memory.Buffers);
        // Cached 945564 kB + SReclaimable 105240 kB.
        Assert.Equal((945_564 + 105_240) * KiB, memory.Cached);
        Assert.Equal((24_684_084 - 23_384_388 - 3_988 - (945_564 + 105_240)) * KiB, memory.Used);
        Assert.Equal(0, memory.SwapTotal);
        Assert.Equal(0, memory.SwapUsed);
    }

    [Fact]
    public void Big_server_memory_and_swap()
    {
        var memory = MemoryCollector.Parse(Fixtures.Read(Fixtures.HostBigIron, "proc/meminfo"));

        Assert.Equal(
            new MemorySection(
                Total: 263_932_516 * KiB,
                Used: (263_932_516 - 12_345_678 - 1_234_567 - (180_000_000 + 9_000_000)) * KiB,
                Free: 12_345_678 * KiB,
                Available: 198_765_432 * KiB,
                Buffers: 1_234_567 * KiB,
                Cached: (180_000_000 + 9_000_000) * KiB,
                SwapTotal: 8_388_604 * KiB,
                SwapUsed: (8_388_604 - 6_291_452) * KiB),
            memory);
    }

    [Fact]
    public void Old_kernels_without_MemAvailable_estimate_it_from_free_buffers_and_cache()
    {
        const string meminfo = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 300 kB\nSReclaimable: 20 kB\n";

        var memory = MemoryCollector.Parse(meminfo);

        Assert.Equal((100 + 50 + 300 + 20) * KiB, memory.Available);
        Assert.Equal((1000 - 100 - 50 - 320) * KiB, memory.Used);
    }

    [Fact]
    public void Live_total_matches_proc_meminfo()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

        var memory = (MemorySection)new MemoryCollector(HostRoot.Live).Collect(DateTime.UtcNow);

        Assert.Equal(kib * KiB, memory.Total);
        Assert.InRange(memory.Used, 1, memory.Total);
        Assert.InRange(memory.Available, 1, memory.Total);
        // The GC's view of the machine is bounded by physical memory (and lowered by a cgroup limit).
        Assert.InRange(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1, memory.Total);
    }
}
