using System.Globalization;
using System.Runtime.InteropServices;

namespace Tyto.Collection;

/// <summary>Hostname, kernel release, uptime and architecture.</summary>
public sealed class SystemCollector(HostRoot root) : ISynchronousCollector
{
    public string Name => "system";

    public ISampleSection Collect(DateTime at) => new SystemSection(
        root.ReadLine("proc/sys/kernel/hostname") ?? "",
        root.ReadLine("proc/sys/kernel/osrelease") ?? "",
        ParseUptime(root.ReadText("proc/uptime")),
        Architecture(RuntimeInformation.OSArchitecture));

    /// <summary>Whole seconds since boot from <c>/proc/uptime</c>.</summary>
    public static long ParseUptime(string? text)
    {
        var first = text?.Split(' ', 2)[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? (long)seconds : 0;
    }

    /// <summary>The architecture as <c>uname -m</c> names it.</summary>
    public static string Architecture(Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.X86 => "i686",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        System.Runtime.InteropServices.Architecture.Arm => "armv7l",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loongarch64",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        _ => architecture.ToString().ToLowerInvariant(),
    };
}
