using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Tyto.Collection;

namespace Tyto.Bench;

/// <summary>
/// Cost of one collection cycle on the live host, the whole cycle and each collector alone, with the process
/// table topped up to <see cref="TargetProcessCount"/> processes. Every collector is enabled; on a host without a
/// GPU, a Docker socket or systemd their reads end at once, so collection stays synchronous and single-threaded
/// and the measured wall time is the CPU time of the cycle.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CollectionCycleBenchmark
{
    /// <summary>The process count the 5 ms target is stated for.</summary>
    public const int TargetProcessCount = 200;

    private readonly List<Process> _sleepers = [];
    private IReadOnlyList<ICollector> _collectors = [];
    private Dictionary<string, ICollector> _byName = [];
    private DateTime _at;

    [GlobalSetup]
    public async Task StartSleepersAndCollectors()
    {
        for (var missing = TargetProcessCount - CountProcesses(); missing > 0; missing--)
        {
            var sleeper = Process.Start(new ProcessStartInfo("sleep", "3600") { UseShellExecute = false })
                ?? throw new InvalidOperationException("Could not start sleep");
            _sleepers.Add(sleeper);
        }

        _collectors = HostMonitorActor.CollectorsFor(new TytoOptions(), TimeProvider.System);
        _byName = _collectors.ToDictionary(c => c.Name);
        _at = DateTime.UtcNow;
        // Primes the counters as CollectorActor does at start, so every measured call computes rates.
        foreach (var collector in _collectors)
            await collector.CollectAsync(_at, CancellationToken.None);
        Console.WriteLine($"// Processes in /proc: {CountProcesses()} ({_sleepers.Count} sleepers started)");
    }

    [GlobalCleanup]
    public void StopSleepers()
    {
        foreach (var collector in _collectors.OfType<IDisposable>())
            collector.Dispose();
        foreach (var sleeper in _sleepers)
        {
            try
            {
                sleeper.Kill();
                sleeper.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            sleeper.Dispose();
        }
        _sleepers.Clear();
    }

    [Benchmark(Baseline = true, Description = "all collectors")]
    public async Task<int> FullCycle()
    {
        var at = NextTick();
        var sections = 0;
        foreach (var collector in _collectors)
        {
            await collector.CollectAsync(at, CancellationToken.None);
            sections++;
        }
        return sections;
    }

    [Benchmark(Description = "system")]
    public ValueTask<ISampleSection> SystemCollector() => CollectWith("system");

    [Benchmark(Description = "cpu")]
    public ValueTask<ISampleSection> CpuCollector() => CollectWith("cpu");

    [Benchmark(Description = "memory")]
    public ValueTask<ISampleSection> MemoryCollector() => CollectWith("memory");

    [Benchmark(Description = "disk")]
    public ValueTask<ISampleSection> DiskCollector() => CollectWith("disk");

    [Benchmark(Description = "network")]
    public ValueTask<ISampleSection> NetworkCollector() => CollectWith("network");

    [Benchmark(Description = "processes")]
    public ValueTask<ISampleSection> ProcessCollector() => CollectWith("processes");

    [Benchmark(Description = "temperature")]
    public ValueTask<ISampleSection> TemperatureCollector() => CollectWith("temperature");

    [Benchmark(Description = "gpu")]
    public ValueTask<ISampleSection> GpuCollector() => CollectWith("gpu");

    [Benchmark(Description = "docker")]
    public ValueTask<ISampleSection> DockerCollector() => CollectWith("docker");

    [Benchmark(Description = "systemd")]
    public ValueTask<ISampleSection> SystemdCollector() => CollectWith("systemd");

    private ValueTask<ISampleSection> CollectWith(string name) => _byName[name].CollectAsync(NextTick(), CancellationToken.None);

    // One second per call, as the sampler ticks at 1 s: rate code always sees a positive elapsed time.
    private DateTime NextTick() => _at = _at.AddSeconds(1);

    private static int CountProcesses() =>
        Directory.EnumerateDirectories("/proc").Count(path => Path.GetFileName(path).All(char.IsAsciiDigit));
}
