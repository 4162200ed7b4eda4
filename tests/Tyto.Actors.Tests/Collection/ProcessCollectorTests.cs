using System.Diagnostics;
using System.Text;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class ProcessCollectorTests
{
    // The processes captured in host-vm: kthreadd, the capturing shell, a busy shell copied to a file named
    // "(sd-pam) x)" running as nobody, and sleep running as cloudsdk.
    private const int Kthreadd = 2;
    private const int Shell = 5738;
    private const int Busy = 5740;
    private const int Sleeper = 5741;

    /// <summary>btime of host-vm's /proc/stat.</summary>
    private static readonly DateTime VmBoot = DateTime.UnixEpoch.AddSeconds(1795743037);

    private static readonly long Page = Environment.SystemPageSize;
    private static readonly DateTime T0 = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    [Fact]
    public void Name_in_parentheses_may_itself_hold_spaces_and_parentheses()
    {
        var stat = ProcessCollector.ParseStat(File.ReadAllBytes(Path.Combine(Fixtures.PathOf(Fixtures.HostVm), $"proc/{Busy}/stat")));

        // 5740 ((sd-pam) x)) S 5738 ... utime 0 stime 0 ... num_threads 1 ... starttime 83134 vsize 2654208 rss 358
        Assert.Equal(new ProcessStat(Busy, "(sd-pam) x)", 'S', 0, 1, 83134, 358), stat);
    }

    [Fact]
    public void Later_stat_of_the_busy_process_adds_user_and_system_ticks()
    {
        var stat = ProcessCollector.ParseStat(File.ReadAllBytes(Path.Combine(Fixtures.PathOf(Fixtures.HostVmLater), $"proc/{Busy}/stat")));

        // utime 98 + stime 135.
        Assert.Equal(233, stat?.CpuTicks);
    }

    [Theory]
    [InlineData("42 (a) b (c) R 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 4 0 900 0 12", "a) b (c", 'R', 10, 4, 900, 12)]
    [InlineData("7 () Z 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0", "", 'Z', 2, 1, 5, 0)]
    public void Stat_lines_with_odd_names(string line, string name, char state, long ticks, int threads, long start, long rss)
    {
        var stat = ProcessCollector.ParseStat(Encoding.UTF8.GetBytes(line));

        Assert.Equal(name, stat?.Name);
        Assert.Equal(state, stat?.State);
        Assert.Equal(ticks, stat?.CpuTicks);
        Assert.Equal(threads, stat?.Threads);
        Assert.Equal(start, stat?.StartTicks);
        Assert.Equal(rss, stat?.RssPages);
    }

    [Theory]
    [InlineData("")]
    [InlineData("42 no parentheses here")]
    [InlineData("x (name) S 1")]
    public void Malformed_stat_gives_nothing(string line)
    {
        Assert.Null(ProcessCollector.ParseStat(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void Uid_is_the_real_one_from_status()
    {
        Assert.Equal(65534u, ProcessCollector.ParseUid(Fixtures.Read(Fixtures.HostVm, $"proc/{Busy}/status")));
        Assert.Equal(1000u, ProcessCollector.ParseUid(Fixtures.Read(Fixtures.HostVm, $"proc/{Sleeper}/status")));
        Assert.Equal(0u, ProcessCollector.ParseUid(Fixtures.Read(Fixtures.HostVm, $"proc/{Kthreadd}/status")));
        Assert.Null(ProcessCollector.ParseUid("Name:\tgone\n"));
    }

    [Fact]
    public void User_names_come_from_passwd_and_unknown_uids_stay_numbers()
    {
        var users = new UserNames(Fixtures.Root(Fixtures.HostVm));

        Assert.Equal("root", users.NameOf(0));
        Assert.Equal("nobody", users.NameOf(65534));
        Assert.Equal("cloudsdk", users.NameOf(1000));
        Assert.Equal("postgres", users.NameOf(101));
        Assert.Equal("4242", users.NameOf(4242));
    }

    [Fact]
    public void Boot_time_comes_from_btime()
    {
        Assert.Equal(VmBoot, ProcessCollector.ParseBootTime(Fixtures.Read(Fixtures.HostVm, "proc/stat")));
        Assert.Equal(DateTime.UnixEpoch, ProcessCollector.ParseBootTime("cpu 1 2 3\n"));
    }

    [Fact]
    public void Cpu_share_from_two_snapshots_and_the_top_lists()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new ProcessCollector(host.Root);

        var first = (ProcessesSection)collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        var second = (ProcessesSection)collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        Assert.Equal(4, first.Total);
        Assert.All(first.TopByCpu, p => Assert.Equal(0, p.Cpu));
        Assert.Equal(4, second.Total);
        // The busy shell spent 233 ticks of 1/100 s in 3 s; the capturing shell 1.
        Assert.Equal(
            [
                new ProcessSample(Busy, "(sd-pam) x)", "nobody", 77.7, 358 * Page),
                new ProcessSample(Shell, "capture.sh", "root", 0.3, 781 * Page),
                new ProcessSample(Sleeper, "sleep", "cloudsdk", 0, 414 * Page),
                new ProcessSample(Kthreadd, "kthreadd", "root", 0, 0),
            ],
            second.TopByCpu);
        Assert.Equal([Shell, Sleeper, Busy, Kthreadd], second.TopByMemory.Select(p => p.Pid));
    }

    [Fact]
    public void Details_of_a_captured_process()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new ProcessCollector(host.Root);
        collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        var details = collector.Details(Busy);

        Assert.Equal(
            new ProcessDetails(
                Busy,
                "(sd-pam) x)",
                "/tmp/tyto-cap/(sd-pam) x) -c while [ ! -e /tmp/tyto-cap/go ]; do sleep 0.1; done; while [ ! -e /tmp/tyto-cap/stop ]; do :; done; sleep 300",
                "nobody",
                "S",
                77.7,
                358 * Page,
                1,
                // starttime 83134 ticks after boot.
                VmBoot.AddSeconds(831.34)),
            details);
    }

    [Fact]
    public void Kernel_thread_without_a_command_line_shows_its_name_in_brackets()
    {
        var details = new ProcessCollector(Fixtures.Root(Fixtures.HostVm)).Details(Kthreadd);

        Assert.Equal("[kthreadd]", details?.Cmdline);
        Assert.Equal("root", details?.User);
        Assert.Equal(0, details?.Cpu);
    }

    [Fact]
    public void Details_of_a_process_that_does_not_exist_is_null()
    {
        Assert.Null(new ProcessCollector(Fixtures.Root(Fixtures.HostVm)).Details(4242));
    }

    [Fact]
    public void A_new_process_under_a_reused_pid_starts_at_zero_cpu()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new ProcessCollector(host.Root);
        collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        // Same pid, later start time: another program that has already used 233 ticks of its own.
        var stat = File.ReadAllText(host.Root.Resolve($"proc/{Busy}/stat")).Replace(" 83134 ", " 83200 ", StringComparison.Ordinal);
        File.WriteAllText(host.Root.Resolve($"proc/{Busy}/stat"), stat);

        var processes = (ProcessesSection)collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        Assert.Equal(0, processes.TopByCpu.Single(p => p.Pid == Busy).Cpu);
    }

    [Fact]
    public void Live_details_of_this_test_process()
    {
        using var self = Process.GetCurrentProcess();

        var details = new ProcessCollector(HostRoot.Live).Details(Environment.ProcessId);

        Assert.NotNull(details);
        Assert.Equal(Environment.ProcessId, details.Pid);
        Assert.Equal(self.ProcessName, details.Name);
        Assert.Equal(Environment.UserName, details.User);
        Assert.Contains(Path.GetFileNameWithoutExtension(Environment.ProcessPath!), details.Cmdline, StringComparison.Ordinal);
        Assert.True(details.Threads > 1, $"{details.Threads} threads");
        Assert.True(details.Memory > 0);
        // btime has whole seconds only.
        Assert.InRange(details.StartTime, self.StartTime.ToUniversalTime().AddSeconds(-3), self.StartTime.ToUniversalTime().AddSeconds(3));
    }

    [Fact]
    public void Live_collection_counts_every_process_and_ranks_the_top_ten()
    {
        var collector = new ProcessCollector(HostRoot.Live);
        collector.Collect(DateTime.UtcNow);

        var processes = (ProcessesSection)collector.Collect(DateTime.UtcNow);

        Assert.True(processes.Total > 1);
        Assert.Equal(Math.Min(10, processes.Total), processes.TopByMemory.Count);
        Assert.Equal(processes.TopByMemory.OrderByDescending(p => p.Memory).Select(p => p.Memory), processes.TopByMemory.Select(p => p.Memory));
        Assert.Equal(processes.TopByCpu.OrderByDescending(p => p.Cpu).Select(p => p.Cpu), processes.TopByCpu.Select(p => p.Cpu));
    }
}
