using Microsoft.Extensions.Time.Testing;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class GpuCollectorTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly FakeNvidiaSmi _fake = new();
    private readonly CountingTime _time = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public void Recorded_lines_parse_into_gpus_and_error_messages_into_nothing()
    {
        var lines = FakeNvidiaSmi.Recording("two-gpus.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new GpuSample(0, "GeForce GTX 1080 Ti", "nvidia", 36, 2856 * MiB, 11175 * MiB, 60, 106.56), NvidiaSmi.ParseLine(lines[0]));
        Assert.Equal(new GpuSample(1, "GeForce GTX 1060 6GB", "nvidia", 0, 4 * MiB, 6078 * MiB, 49, 5.68), NvidiaSmi.ParseLine(lines[1]));

        // MIG mode: the card does not report utilization.
        Assert.Equal(
            new GpuSample(0, "NVIDIA H100 80GB HBM3", "nvidia", null, 59 * MiB, 81559 * MiB, 42, 71.15),
            NvidiaSmi.ParseLine(FakeNvidiaSmi.Recording("not-supported.csv").Trim()));

        foreach (var message in new[] { "gpu-lost-loop.csv", "gpu-lost.txt", "gpu-unknown-error.txt", "no-devices.txt", "driver-not-loaded.txt" })
            Assert.Null(NvidiaSmi.ParseLine(FakeNvidiaSmi.Recording(message).Trim()));
    }

    [Fact]
    public async Task One_long_running_child_reports_every_gpu()
    {
        _fake.Install("two-gpus.csv");
        using var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(2), _time);

        var gpus = await UntilAsync(nvidia.Read, g => g.Count == 2);
        Assert.Equal(["GeForce GTX 1080 Ti", "GeForce GTX 1060 6GB"], gpus.Select(g => g.Name));
        Assert.Equal(2856 * MiB, gpus[0].MemoryUsed);
        Assert.Null(nvidia.Problem);

        // Reads between its loops do not start another child.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(2, nvidia.Read().Count);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        var start = Assert.Single(_fake.Starts);
        Assert.EndsWith($" --query-gpu={NvidiaSmi.Query} --format=csv,noheader,nounits -lms 2000", start);

        // A new sampling interval restarts the child with a matching loop.
        nvidia.IntervalChanged(TimeSpan.FromSeconds(5));
        await UntilAsync(nvidia.Read, g => g.Count == 2 && _fake.Starts.Count == 2);
        Assert.EndsWith(" -lms 5000", _fake.Starts[1]);
    }

    [Fact]
    public async Task A_gpu_that_falls_off_the_bus_leaves_the_sample_and_the_others_stay()
    {
        _fake.Install("two-gpus.csv");
        using var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time);
        await UntilAsync(nvidia.Read, g => g.Count == 2);

        // GPU 0 now prints "[GPU is lost]" in every field and nvidia-smi complains; GPU 1 keeps reporting.
        var gpu1 = FakeNvidiaSmi.Recording("two-gpus.csv").Split('\n')[1] + "\n";
        var gpus = await ShowPastStalenessAsync(nvidia, FakeNvidiaSmi.Recording("gpu-lost-loop.csv") + gpu1 + FakeNvidiaSmi.Recording("gpu-lost.txt"), g => g.Count == 1);
        Assert.Equal([1], gpus.Select(g => g.Index));

        Assert.Empty(await ShowPastStalenessAsync(nvidia, FakeNvidiaSmi.Recording("gpu-lost-loop.csv") + FakeNvidiaSmi.Recording("gpu-lost.txt"), g => g.Count == 0));
        Assert.Single(_fake.Starts);
    }

    /// <summary>
    /// Has the child print <paramref name="output"/>, then lets more than the staleness pass (fake time) and reads once the
    /// child has printed a whole loop since, so that the child itself is not silent: until <paramref name="done"/> holds.
    /// </summary>
    private async Task<IReadOnlyList<GpuSample>> ShowPastStalenessAsync(NvidiaSmi nvidia, string output, Func<IReadOnlyList<GpuSample>, bool> done)
    {
        _fake.ShowText(output);
        var linesPerLoop = output.Count(c => c == '\n');
        return await Poll.ForAsync(
            async () =>
            {
                _time.Advance(TimeSpan.FromSeconds(6));
                var heard = _time.Timestamps;
                await Poll.UntilAsync(() => _time.Timestamps >= heard + linesPerLoop, "the child printed a whole loop");
                return nvidia.Read();
            },
            done,
            "the GPUs that stopped reporting left the sample");
    }

    [Fact]
    public async Task A_child_that_dies_is_restarted_with_growing_backoff()
    {
        _fake.Install("two-gpus.csv");
        using var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time);
        await UntilAsync(nvidia.Read, g => g.Count == 2);

        _fake.Fail("no-devices.txt");
        await UntilAsync(nvidia.Read, g => g.Count == 0 && nvidia.Problem is not null);
        Assert.Equal($"{_fake.Executable} exited with code 6: No devices were found", nvidia.Problem);
        _fake.Recover();

        // Not before the first backoff (1 s) has passed.
        Assert.Empty(nvidia.Read());
        Assert.Single(_fake.Starts);
        _time.Advance(ChildRestarts.FirstDelay);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
        Assert.Equal(2, _fake.Starts.Count);

        // It died again soon after starting: the next wait doubles.
        _fake.Fail("driver-not-loaded.txt");
        await UntilAsync(nvidia.Read, g => g.Count == 0 && nvidia.Problem is not null);
        _fake.Recover();
        _time.Advance(ChildRestarts.FirstDelay);
        Assert.Empty(nvidia.Read());
        Assert.Equal(2, _fake.Starts.Count);
        _time.Advance(ChildRestarts.FirstDelay);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
        Assert.Equal(3, _fake.Starts.Count);
    }

    [Fact]
    public async Task A_child_that_falls_silent_is_killed_and_restarted()
    {
        _fake.Install("two-gpus.csv");
        using var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
        var pid = Assert.Single(_fake.Starts).Split(' ')[0];

        // Stuck: it neither prints nor exits. Once no line came for the staleness (5 s here), it is let go.
        _fake.Hang();
        await Poll.UntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(6));
                return nvidia.Read().Count == 0;
            },
            "the silent child was let go");
        Assert.Equal($"{_fake.Executable} printed nothing for 5 s", nvidia.Problem);
        await UntilAsync(() => Directory.Exists($"/proc/{pid}"), running => !running);

        _fake.Recover();
        _time.Advance(ChildRestarts.FirstDelay);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
        Assert.Equal(2, _fake.Starts.Count);
    }

    [Fact]
    public async Task A_driver_installed_later_is_picked_up()
    {
        using var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time);
        Assert.Empty(nvidia.Read());
        Assert.StartsWith($"{_fake.Executable} cannot be run", nvidia.Problem);

        _fake.Install("two-gpus.csv");
        Assert.Empty(nvidia.Read());
        _time.Advance(ChildRestarts.FirstDelay);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
    }

    [Fact]
    public async Task Disposing_kills_the_child()
    {
        _fake.Install("two-gpus.csv");
        var nvidia = new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time);
        await UntilAsync(nvidia.Read, g => g.Count == 2);
        var pid = Assert.Single(_fake.Starts).Split(' ')[0];

        nvidia.Dispose();
        await UntilAsync(() => Directory.Exists($"/proc/{pid}"), running => !running);
        Assert.Empty(nvidia.Read());
    }

    [Fact]
    public async Task Amd_and_intel_cards_come_from_sysfs_after_the_nvidia_ones()
    {
        _fake.Install("two-gpus.csv");
        using var collector = new GpuCollector(Fixtures.Root(Fixtures.HostAmdGpu), new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time));
        var section = await UntilAsync(() => (GpuSection)collector.Collect(DateTime.UtcNow), s => s.Gpus?.Count == 4);

        Assert.True(section.Available);
        Assert.Equal(["nvidia", "nvidia", "amd", "intel"], section.Gpus!.Select(g => g.Vendor));
        Assert.Equal([0, 1, 2, 3], section.Gpus!.Select(g => g.Index));
        Assert.Equal(new GpuSample(2, "AMD Radeon RX Vega", "amd", 4, 1490378752, 8573157376, 44, 16), section.Gpus![2]);
        // An integrated i915 exposes neither load, VRAM nor hwmon.
        Assert.Equal(new GpuSample(3, "Intel GPU 5917", "intel", null, null, null, null, null), section.Gpus![3]);
    }

    [Fact]
    public void Without_any_gpu_the_section_is_unavailable_and_says_why()
    {
        using var collector = new GpuCollector(Fixtures.Root(Fixtures.HostVm), new NvidiaSmi(_fake.Executable, TimeSpan.FromSeconds(1), _time));
        var section = (GpuSection)collector.Collect(DateTime.UtcNow);

        Assert.False(section.Available);
        Assert.Null(section.Gpus);
        Assert.Contains("No AMD or Intel GPU", section.Reason);
        Assert.Contains($"{_fake.Executable} cannot be run", section.Reason);
    }

    private static Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done) =>
        Poll.ForAsync(() => Task.FromResult(read()), done, "the collector reported what was awaited", TimeSpan.FromSeconds(10));

    /// <summary>Fake time that counts how often the clock was read: each line the child prints reads it once.</summary>
    private sealed class CountingTime : FakeTimeProvider
    {
        private int _timestamps;

        public int Timestamps => Volatile.Read(ref _timestamps);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _timestamps);
            return base.GetTimestamp();
        }
    }
}
