using System.Runtime.Versioning;
using Tyto.Collection;

// Tyto monitors Linux hosts; its tests run fake executables and Unix sockets.
[assembly: SupportedOSPlatform("linux")]

namespace Tyto.Actors.Tests;

/// <summary>The captured and hand-made host trees under <c>tests/fixtures</c>, as copied next to the test assembly.</summary>
internal static class Fixtures
{
    /// <summary>This build machine, a 2-core VM, captured by <c>tests/fixtures/capture-host-vm.sh</c>.</summary>
    public const string HostVm = "host-vm";

    /// <summary>The counter files of <see cref="HostVm"/> captured about three seconds later, under load.</summary>
    public const string HostVmLater = "host-vm-later";

    /// <summary>A hand-made 64-core server with many disks, mounts, sensors and interfaces.</summary>
    public const string HostBigIron = "host-bigiron";

    /// <summary>A sysfs tree with an AMD card (amdgpu, recorded values), an Intel iGPU and a display connector.</summary>
    public const string HostAmdGpu = "host-amdgpu";

    /// <summary>Seconds between the two captures of the VM, rounded; the rate tests divide the deltas by it.</summary>
    public const int VmCaptureGapSeconds = 3;

    public static string PathOf(string fixture) => Path.Combine(AppContext.BaseDirectory, "fixtures", fixture);

    public static HostRoot Root(string fixture) => new(PathOf(fixture));

    public static string Read(string fixture, string relative) => File.ReadAllText(Path.Combine(PathOf(fixture), relative));
}

/// <summary>
/// A writable copy of a fixture tree in a temp folder, so a test can read it, lay a later snapshot over it and
/// read it again, as a collector sees a host whose counters grow.
/// </summary>
internal sealed class FixtureCopy : IDisposable
{
    private readonly string _path;

    public FixtureCopy(string fixture)
    {
        _path = Directory.CreateTempSubdirectory("tyto-fixture-").FullName;
        CopyTree(Fixtures.PathOf(fixture), _path);
        Root = new HostRoot(_path);
    }

    public HostRoot Root { get; }

    /// <summary>Overwrites the copy's files with those of <paramref name="fixture"/>.</summary>
    public void Overlay(string fixture) => CopyTree(Fixtures.PathOf(fixture), _path);

    public void Dispose() => Directory.Delete(_path, recursive: true);

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
