using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tyto.Collection;

namespace Tyto.Api.Tests;

/// <summary>What keeps the idle server's memory down (bench/README.md, "Idle server memory").</summary>
public sealed class LeanServerTests
{
    [Fact]
    public void The_server_runs_without_the_instrumented_tier()
    {
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tyto.Host.runtimeconfig.json")));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Fact]
    public void Trimming_hands_freed_native_heap_pages_back_to_the_system()
    {
        const int blockSize = 4096;
        const int blocks = 8192;
        var content = new byte[blockSize];
        Array.Fill(content, (byte)1);
        var allocated = new nint[blocks];
        for (var i = 0; i < blocks; i++)
        {
            allocated[i] = Marshal.AllocHGlobal(blockSize);
            Marshal.Copy(content, 0, allocated[i], blockSize);
        }

        // The last block stays: free() itself then cannot give the space back, as with a long-lived allocation.
        var sentinel = Marshal.AllocHGlobal(blockSize);
        foreach (var block in allocated)
            Marshal.FreeHGlobal(block);
        try
        {
            var before = AnonymousKiB();
            Assert.True(MemoryTrimmer.TrimCHeap());
            var released = before - AnonymousKiB();
            Assert.True(released >= blocks * blockSize / 1024 / 2, $"{released} KiB of {blocks * blockSize / 1024} KiB released");
        }
        finally
        {
            Marshal.FreeHGlobal(sentinel);
        }
    }

    [Fact]
    public void A_small_managed_heap_is_compacted_and_its_free_space_decommitted()
    {
        var before = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
        Assert.True(MemoryTrimmer.CompactSmallHeap(long.MaxValue));
        var collection = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(collection.Index > before);
        Assert.True(collection.Compacted);
        Assert.False(MemoryTrimmer.CompactSmallHeap(0));
    }

    private static long AnonymousKiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
