using System.Runtime.ExceptionServices;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class CpuCollectorTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    [Fact]
    public void Stat_of_the_vm_has_the_aggregate_line_and_two_cores()
    {
        var times = CpuCollector.ParseStat(Fixtures.Read(Fixtures.HostVm, "proc/stat"));

        // cpu  16127 0 4117 144848 589 0 42 26 0 0: idle is idle + iowait, guest time is already in user.
        Assert.Equal(
            [
                new CpuTimes(-1, 16127 + 4117 + 42 + 26, 16127 + 4117 + 144848 + 589 + 42 + 26),
                new CpuTimes(0, 6946 + 1680 + 8 + 8, 6946 + 1680 + 74222 + 32 + 8 + 8),
                new CpuTimes(1, 9181 + 2437 + 34 + 17, 9181 + 2437 + 70626 + 557 + 34 + 17),
            ],
            times);
    }

    [Fact]
    public void Usage_between_two_snapshots_of_the_vm_under_load()
    {
        var before = CpuCollector.ParseStat(Fixtures.Read(Fixtures.HostVm, "proc/stat")).ToDictionary(t => t.Id);
        var after = CpuCollector.ParseStat(Fixtures.Read(Fixtures.HostVmLater, "proc/stat")).ToDictionary(t => t.Id);

        // Aggregate: busy 20312 -> 20910 (598) of total 165749 -> 166359 (610).
        Assert.Equal(98.0, CpuTimes.UsageBetween(before[-1], after[-1]));
        // cpu0: 294 of 303 jiffies; cpu1: 301 of 304.
        Assert.Equal(97.0, CpuTimes.UsageBetween(before[0], after[0]));
        Assert.Equal(99.0, CpuTimes.UsageBetween(before[1], after[1]));
    }

    [Fact]
    public void Usage_is_zero_without_elapsed_jiffies_or_after_a_counter_reset_and_never_above_100()
    {
        var reading = new CpuTimes(0, 500, 1000);

        Assert.Equal(0, CpuTimes.UsageBetween(reading, reading));
        Assert.Equal(0, CpuTimes.UsageBetween(reading, new CpuTimes(0, 400, 1100)));
        Assert.Equal(100, CpuTimes.UsageBetween(reading, new CpuTimes(0, 700, 1100)));
        Assert.Equal(33.3, CpuTimes.UsageBetween(reading, new CpuTimes(0, 600, 1300)));
    }

    [Fact]
    public void Collector_reports_usage_from_the_second_reading_on()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new CpuCollector(host.Root);

        var first = (CpuSection)collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        var second = (CpuSection)collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        Assert.Equal(0, first.TotalUsage);
        Assert.All(first.Cores, core => Assert.Equal(0, core.Usage));
        Assert.Equal(98.0, second.TotalUsage);
        // The VM has no cpufreq: the frequency comes from "cpu MHz : 2596.128" in cpuinfo.
        Assert.Equal([new CpuCore(0, 97.0, 2596), new CpuCore(1, 99.0, 2596)], second.Cores);
        Assert.Equal(new LoadAverage(0.79, 0.45, 0.19), second.LoadAverage);
    }

    [Fact]
    public void A_host_without_cpufreq_costs_no_exception_per_core()
    {
        // An agent collects every second: an exception per core and round was most of its idle CPU.
        var collector = new CpuCollector(Fixtures.Root(Fixtures.HostVm));
        var thread = Environment.CurrentManagedThreadId;
        var thrown = new List<string>();
        void Record(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
                thrown.Add(e.Exception.GetType().Name);
        }

        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            collector.Collect(T0);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        Assert.Empty(thrown);
    }

    [Fact]
    public void Big_server_has_64_cores_in_order()
    {
        var section = (CpuSection)new CpuCollector(Fixtures.Root(Fixtures.HostBigIron)).Collect(T0);

        Assert.Equal(Enumerable.Range(0, 64), section.Cores.Select(c => c.Id));
        Assert.Equal(new LoadAverage(12.34, 10.05, 8.76), section.LoadAverage);
    }

    [Fact]
    public void Big_server_times_per_core_and_in_total()
    {
        var times = CpuCollector.ParseStat(Fixtures.Read(Fixtures.HostBigIron, "proc/stat")).ToDictionary(t => t.Id);

        Assert.Equal(65, times.Count);
        // cpu63 16300 0 2630 50000 100 0 50 0 0 0
        Assert.Equal(new CpuTimes(63, 16300 + 2630 + 50, 16300 + 2630 + 50000 + 100 + 50), times[63]);
        // cpu  841600 0 148160 3200000 6400 0 3200 0 0 0
        Assert.Equal(new CpuTimes(-1, 841600 + 148160 + 3200, 841600 + 148160 + 3200000 + 6400 + 3200), times[-1]);
    }

    [Fact]
    public void Frequency_comes_from_cpufreq_where_present_and_from_cpuinfo_elsewhere()
    {
        var section = (CpuSection)new CpuCollector(Fixtures.Root(Fixtures.HostBigIron)).Collect(T0);
        var mhz = section.Cores.ToDictionary(c => c.Id, c => c.Frequency);

        // scaling_cur_freq of cpu0..cpu7 holds 3000000 + 100000 * n kHz.
        Assert.Equal(3000, mhz[0]);
        Assert.Equal(3700, mhz[7]);
        // cpu8 and on have no cpufreq; cpuinfo says "cpu MHz : 2000.498" for processor 8, "3375.498" for 63.
        Assert.Equal(2000, mhz[8]);
        Assert.Equal(3375, mhz[63]);
    }

    [Fact]
    public void Cpuinfo_frequencies_are_rounded_to_whole_megahertz()
    {
        var frequencies = CpuCollector.ParseCpuInfoFrequencies(Fixtures.Read(Fixtures.HostVm, "proc/cpuinfo"));

        Assert.Equal(new Dictionary<int, int> { [0] = 2596, [1] = 2596 }, frequencies);
    }

    [Fact]
    public void Load_average_of_a_missing_file_is_zero()
    {
        Assert.Equal(new LoadAverage(0, 0, 0), CpuCollector.ParseLoadAverage(null));
    }

    [Fact]
    public void Live_host_reports_every_online_core()
    {
        var collector = new CpuCollector(HostRoot.Live);
        collector.Collect(DateTime.UtcNow);
        var section = (CpuSection)collector.Collect(DateTime.UtcNow);

        var processors = File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        Assert.Equal(processors, section.Cores.Count);
        // .NET counts the CPUs this process may use (affinity, cgroup quota): never more than the host has.
        Assert.InRange(Environment.ProcessorCount, 1, section.Cores.Count);
        Assert.All(section.Cores, core => Assert.InRange(core.Usage, 0, 100));
        Assert.InRange(section.TotalUsage, 0, 100);
        Assert.True(section.LoadAverage.One >= 0);
    }
}
