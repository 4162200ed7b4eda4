using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Tyto.Actors.Collection;
using Tyto.Actors.Metrics;

namespace Tyto.Bench;

/// <summary>
/// Cost of one collection cycle on the live host, the whole cycle and each collector alone, with the process
/// table topped up to <see cref="TargetProcessCount"/> processes. Collection is synchronous and single-threaded,
/// so the measured wall time is the CPU time of the cycle.
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
    public void StartSleepersAndCollectors()
    {
        for (var missing = TargetProcessCount - CountProcesses(); missing > 0; missing--)
        {
            var sleeper = Process.Start(new ProcessStartInfo("sleep", "3600") { UseShellExecute = false })
                ?? throw new InvalidOperationException("Could not start sleep");
            _sleepers.Add(sleeper);
        }

        _collectors = HostMonitorActor.CollectorsFor(HostRoot.Live);
        _byName = _collectors.ToDictionary(c => c.Name);
        _at = DateTime.UtcNow;
        // Primes the counters as CollectorActor does at start, so every measured call computes rates.
        foreach (var collector in _collectors)
            collector.Collect(_at);
        Console.WriteLine($"// Processes in /proc: {CountProcesses()} ({_sleepers.Count} sleepers started)");
    }

    [GlobalCleanup]
    public void StopSleepers()
    {
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
    public int FullCycle()
    {
        var at = NextTick();
        var sections = 0;
        foreach (var collector in _collectors)
        {
            collector.Collect(at);
            sections++;
        }
        return sections;
    }

    [Benchmark(Description = "system")]
    public ISampleSection SystemCollector() => CollectWith("system");

    [Benchmark(Description = "cpu")]
    public ISampleSection CpuCollector() => CollectWith("cpu");

    [Benchmark(Description = "memory")]
    public ISampleSection MemoryCollector() => CollectWith("memory");

    [Benchmark(Description = "disk")]
    public ISampleSection DiskCollector() => CollectWith("disk");

    [Benchmark(Description = "network")]
    public ISampleSection NetworkCollector() => CollectWith("network");

    [Benchmark(Description = "processes")]
    public ISampleSection ProcessCollector() => CollectWith("processes");

    [Benchmark(Description = "temperature")]
    public ISampleSection TemperatureCollector() => CollectWith("temperature");

    private ISampleSection CollectWith(string name) => _byName[name].Collect(NextTick());

    // One second per call, as the sampler ticks at 1 s: rate code always sees a positive elapsed time.
    private DateTime NextTick() => _at = _at.AddSeconds(1);

    private static int CountProcesses() =>
        Directory.EnumerateDirectories("/proc").Count(path => Path.GetFileName(path).All(char.IsAsciiDigit));
}
