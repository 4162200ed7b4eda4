using System.Globalization;
using System.Text;

namespace Tyto.Collection;

/// <summary>One line of the mount table.</summary>
public sealed record MountEntry(string Device, string Mountpoint, string Fstype);

/// <summary>Size of a mounted filesystem as statvfs reports it, in bytes.</summary>
public readonly record struct FileSystemSpace(long Total, long Free, long Available);

/// <summary>Cumulative bytes read and written by one block device.</summary>
public readonly record struct DiskCounters(string Device, long ReadBytes, long WriteBytes);

/// <summary>Usage of real mounted filesystems and per-device I/O from <c>/proc/diskstats</c>.</summary>
public sealed class DiskCollector(HostRoot root, Func<string, FileSystemSpace?> statvfs) : ISynchronousCollector
{
    private const int SectorBytes = 512;

    private static readonly HashSet<string> NetworkFilesystems =
        ["nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.sshfs", "fuse.glusterfs", "9p", "virtiofs"];

    private static readonly HashSet<string> DiskBackedWithoutDevicePath = ["zfs", "btrfs", "bcachefs"];

    private static readonly HashSet<string> ImageFilesystems = ["squashfs", "iso9660", "udf", "erofs"];

    private Dictionary<string, DiskCounters> _previous = [];
    private DateTime _previousAt;

    public DiskCollector(HostRoot root)
        : this(root, mountpoint => StatFileSystem(root.Resolve(mountpoint)))
    {
    }

    public string Name => "disk";

    public ISampleSection Collect(DateTime at)
    {
        var mounts = new List<MountUsage>();
        foreach (var mount in ParseMounts(root.ReadText("proc/self/mounts") ?? root.ReadText("proc/mounts") ?? ""))
        {
            if (statvfs(mount.Mountpoint) is not { Total: > 0 } space)
                continue;
            mounts.Add(new MountUsage(mount.Device, mount.Mountpoint, mount.Fstype, space.Total, space.Total - space.Free, space.Available));
        }

        var blockDevices = root.List("sys/block").ToHashSet(StringComparer.Ordinal);
        var counters = ParseDiskStats(root.ReadText("proc/diskstats") ?? "")
            .Where(c => IsPhysicalDisk(c.Device, blockDevices))
            .ToList();
        var elapsed = at - _previousAt;
        var io = counters.Select(c =>
        {
            var before = _previous.GetValueOrDefault(c.Device, c);
            return new DiskIo(c.Device, c.ReadBytes, c.WriteBytes,
                Rates.PerSecond(before.ReadBytes, c.ReadBytes, elapsed), Rates.PerSecond(before.WriteBytes, c.WriteBytes, elapsed));
        }).ToList();
        _previous = counters.ToDictionary(c => c.Device);
        _previousAt = at;
        return new DiskSection(mounts, io);
    }

    /// <summary>
    /// Mounts of filesystems that hold data: block devices, disk pools and network shares, each device once
    /// (bind mounts and subvolumes repeat it), without pseudo filesystems, cgroups or read-only images.
    /// </summary>
    public static IReadOnlyList<MountEntry> ParseMounts(string mounts)
    {
        var result = new List<MountEntry>();
        var seenDevices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in mounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 3)
                continue;
            var entry = new MountEntry(Unescape(fields[0]), Unescape(fields[1]), fields[2]);
            if (IsDataFilesystem(entry) && seenDevices.Add(entry.Device))
                result.Add(entry);
        }
        return result;
    }

    private static bool IsDataFilesystem(MountEntry mount)
    {
        if (ImageFilesystems.Contains(mount.Fstype) || mount.Device.StartsWith("/dev/loop", StringComparison.Ordinal))
            return false;
        if (NetworkFilesystems.Contains(mount.Fstype) || DiskBackedWithoutDevicePath.Contains(mount.Fstype))
            return true;
        // A container's root is an overlay; other overlays are the layers of containers, not disks of this host.
        if (mount.Fstype == "overlay")
            return mount.Mountpoint == "/";
        return mount.Device.StartsWith('/');
    }

    private static readonly System.Buffers.SearchValues<char> OctalDigits = System.Buffers.SearchValues.Create("01234567");

    /// <summary>The mount table escapes space, tab, newline and backslash as octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && !field.AsSpan(i + 1, 3).ContainsAnyExcept(OctalDigits))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }
        return builder.ToString();
    }

    public static IReadOnlyList<DiskCounters> ParseDiskStats(string diskstats)
    {
        var result = new List<DiskCounters>();
        foreach (var line in diskstats.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10)
                continue;
            var sectorsRead = long.Parse(fields[5], CultureInfo.InvariantCulture);
            var sectorsWritten = long.Parse(fields[9], CultureInfo.InvariantCulture);
            result.Add(new DiskCounters(fields[2], sectorsRead * SectorBytes, sectorsWritten * SectorBytes));
        }
        return result;
    }

    /// <summary>Whole disks as <c>/sys/block</c> lists them (not partitions), without loop and RAM-backed (ram, zram) devices.</summary>
    private static bool IsPhysicalDisk(string device, HashSet<string> blockDevices) =>
        (blockDevices.Count == 0 || blockDevices.Contains(device)) &&
        !device.StartsWith("loop", StringComparison.Ordinal) &&
        !device.StartsWith("ram", StringComparison.Ordinal) &&
        !device.StartsWith("zram", StringComparison.Ordinal);

    private static FileSystemSpace? StatFileSystem(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return new FileSystemSpace(drive.TotalSize, drive.TotalFreeSpace, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
