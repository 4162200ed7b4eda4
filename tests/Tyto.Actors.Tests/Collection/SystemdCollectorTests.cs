using Microsoft.Extensions.Time.Testing;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class SystemdCollectorTests : IDisposable
{
    /// <summary>A fake systemctl: prints the recorded unit list, or the recorded not-booted message and exit code 1.</summary>
    private const string Script = """
        #!/bin/sh
        dir=$(dirname "$0")
        echo "$*" >> "$dir/runs"
        if [ -e "$dir/fail" ]; then cat "$dir/fail" >&2; exit 1; fi
        cat "$dir/output"
        """;

    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-systemd-").FullName;
    private readonly FakeTimeProvider _time = new();

    public SystemdCollectorTests()
    {
        File.Copy(Recording("list-units.json"), Path.Combine(_directory, "output"));
        File.WriteAllText(Systemctl, Script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(Systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(_directory, "root", "run", "systemd", "system"));
    }

    private string Systemctl => Path.Combine(_directory, "systemctl");

    private string[] Runs =>
        File.Exists(Path.Combine(_directory, "runs")) ? File.ReadAllLines(Path.Combine(_directory, "runs")) : [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_recorded_unit_list_gives_each_service_with_its_states_and_description()
    {
        var services = SystemdCollector.ParseUnits(File.ReadAllText(Recording("list-units.json")));

        Assert.Contains(new ServiceSample("accounts-daemon.service", "active", "running", "Accounts Service"), services);
        Assert.Contains(new ServiceSample("apache2.service", "failed", "failed", "The Apache Webserver"), services);
        Assert.Contains(new ServiceSample("apparmor.service", "active", "exited", "AppArmor initialization"), services);
        Assert.Contains(new ServiceSample("acpid.service", "inactive", "dead", "ACPI event daemon"), services);
        // Only referenced, never loaded: not a service of this host.
        Assert.DoesNotContain(services, s => s.Name == "auditd.service");
        Assert.All(services, s => Assert.EndsWith(".service", s.Name));
    }

    [Fact]
    public async Task Services_are_listed_at_most_once_per_refresh()
    {
        var collector = new SystemdCollector(new HostRoot(Path.Combine(_directory, "root")), Systemctl, Refresh, _time);

        var first = await CollectAsync(collector);
        Assert.True(first.Available);
        Assert.Equal(SystemdCollector.ParseUnits(File.ReadAllText(Recording("list-units.json"))), first.Services);
        Assert.Equal(["list-units --type=service --all --output=json --no-pager"], Runs);

        _time.Advance(Refresh - TimeSpan.FromSeconds(1));
        Assert.Same(first, await CollectAsync(collector));
        Assert.Single(Runs);

        _time.Advance(TimeSpan.FromSeconds(1));
        await CollectAsync(collector);
        Assert.Equal(2, Runs.Length);
    }

    [Fact]
    public async Task Systemctl_that_cannot_reach_systemd_makes_the_section_unavailable_with_its_message()
    {
        File.Copy(Recording("not-booted.txt"), Path.Combine(_directory, "fail"));
        var collector = new SystemdCollector(new HostRoot(Path.Combine(_directory, "root")), Systemctl, Refresh, _time);

        var section = await CollectAsync(collector);

        Assert.False(section.Available);
        Assert.Null(section.Services);
        Assert.StartsWith($"{Systemctl} exited with code 1: System has not been booted with systemd as init system (PID 1). Can't operate.", section.Reason);

        // Kept like a list until the next refresh, which gets the list once systemd answers.
        File.Delete(Path.Combine(_directory, "fail"));
        Assert.Same(section, await CollectAsync(collector));
        _time.Advance(Refresh);
        Assert.True((await CollectAsync(collector)).Available);
        Assert.Equal(2, Runs.Length);
    }

    [Fact]
    public async Task A_host_not_booted_with_systemd_is_unavailable_without_running_systemctl_until_it_is()
    {
        var root = Path.Combine(_directory, "later");
        Directory.CreateDirectory(root);
        var collector = new SystemdCollector(new HostRoot(root), Systemctl, Refresh, _time);

        var before = await CollectAsync(collector);
        Assert.False(before.Available);
        Assert.Equal("systemd is not the init system of this host", before.Reason);
        Assert.Empty(Runs);

        Directory.CreateDirectory(Path.Combine(root, "run", "systemd", "system"));
        Assert.True((await CollectAsync(collector)).Available);
    }

    [Fact]
    public async Task A_missing_systemctl_is_unavailable()
    {
        var missing = Path.Combine(_directory, "no-such-systemctl");
        var collector = new SystemdCollector(new HostRoot(Path.Combine(_directory, "root")), missing, Refresh, _time);

        var section = await CollectAsync(collector);

        Assert.False(section.Available);
        Assert.StartsWith($"{missing} cannot be run", section.Reason);
    }

    private static async Task<SystemdSection> CollectAsync(SystemdCollector collector) =>
        (SystemdSection)await collector.CollectAsync(DateTime.UtcNow, CancellationToken.None);

    private static string Recording(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", "systemd", file);
}
