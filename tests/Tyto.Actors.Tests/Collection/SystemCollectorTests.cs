using System.Runtime.InteropServices;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class SystemCollectorTests
{
    [Fact]
    public void Vm_hostname_kernel_and_whole_seconds_of_uptime()
    {
        var system = (SystemSection)new SystemCollector(Fixtures.Root(Fixtures.HostVm)).Collect(DateTime.UtcNow);

        Assert.Equal("vm", system.Hostname);
        Assert.Equal("6.18.44-fc-v669", system.Kernel);
        // proc/uptime: "832.11 1448.49".
        Assert.Equal(832, system.Uptime);
        Assert.Equal(SystemCollector.Architecture(RuntimeInformation.OSArchitecture), system.Architecture);
    }

    [Fact]
    public void Big_server_identity()
    {
        var system = (SystemSection)new SystemCollector(Fixtures.Root(Fixtures.HostBigIron)).Collect(DateTime.UtcNow);

        Assert.Equal("bigiron01", system.Hostname);
        Assert.Equal("6.8.0-45-generic", system.Kernel);
        Assert.Equal(1234567, system.Uptime);
    }

    [Fact]
    public void Missing_files_give_empty_identity_rather_than_failing()
    {
        using var empty = new EmptyRoot();

        var system = (SystemSection)new SystemCollector(empty.Root).Collect(DateTime.UtcNow);

        Assert.Equal("", system.Hostname);
        Assert.Equal("", system.Kernel);
        Assert.Equal(0, system.Uptime);
    }

    [Theory]
    [InlineData(Architecture.X64, "x86_64")]
    [InlineData(Architecture.Arm64, "aarch64")]
    [InlineData(Architecture.Arm, "armv7l")]
    [InlineData(Architecture.RiscV64, "riscv64")]
    public void Architecture_is_named_as_uname_names_it(Architecture architecture, string machine)
    {
        Assert.Equal(machine, SystemCollector.Architecture(architecture));
    }

    [Fact]
    public void Live_identity_matches_what_dotnet_sees()
    {
        var system = (SystemSection)new SystemCollector(HostRoot.Live).Collect(DateTime.UtcNow);

        Assert.Equal(Environment.MachineName, system.Hostname);
        // OSVersion on Linux is the numeric start of the kernel release, such as 6.18.44 of 6.18.44-fc-v669.
        Assert.StartsWith(Environment.OSVersion.Version.ToString(3), system.Kernel, StringComparison.Ordinal);
        // Uptime counts time suspended too, the monotonic tick count does not: never less.
        Assert.True(system.Uptime >= Environment.TickCount64 / 1000 - 2, $"uptime {system.Uptime} s, tick count {Environment.TickCount64} ms");
    }

    private sealed class EmptyRoot : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tyto-empty-");

        public HostRoot Root => new(_directory.FullName);

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
