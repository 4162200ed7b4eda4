using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class DiskCollectorTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long Sector = 512;

    private static readonly DateTime T0 = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    [Fact]
    public void Big_server_keeps_each_data_filesystem_once()
    {
        var mounts = DiskCollector.ParseMounts(Fixtures.Read(Fixtures.HostBigIron, "proc/self/mounts"));

        // Gone: pseudo filesystems, tmpfs, cgroup2, snaps (squashfs on loop devices), the bind mounts of nvme1n1
        // (/srv/www) and nvme0n1p2 (/var/lib/docker), the btrfs subvolumes of sda2 and the container layer overlay.
        Assert.Equal(
            [
                new MountEntry("/dev/nvme0n1p2", "/", "ext4"),
                new MountEntry("/dev/sda1", "/boot/efi", "vfat"),
                new MountEntry("/dev/nvme1n1", "/data", "xfs"),
                new MountEntry("/dev/sda2", "/mnt/pool", "btrfs"),
                new MountEntry("tank", "/tank", "zfs"),
                new MountEntry("tank/backups", "/tank/backups", "zfs"),
                new MountEntry("nas.lan:/export/media", "/mnt/media", "nfs4"),
                new MountEntry("/dev/mapper/vg0-scratch", "/mnt/scratch space", "ext4"),
            ],
            mounts);
    }

    [Fact]
    public void Overlay_counts_only_as_a_containers_root()
    {
        const string mounts =
            "overlay / overlay rw,relatime,lowerdir=/l1,upperdir=/u,workdir=/w 0 0\n" +
            "proc /proc proc rw 0 0\n" +
            "overlay /var/lib/docker/overlay2/abc/merged overlay rw,relatime 0 0\n" +
            "/dev/sdb1 /etc/hosts ext4 rw 0 0\n";

        Assert.Equal(
            [new MountEntry("overlay", "/", "overlay"), new MountEntry("/dev/sdb1", "/etc/hosts", "ext4")],
            DiskCollector.ParseMounts(mounts));
    }

    [Fact]
    public void Octal_escapes_of_the_mount_table_are_decoded()
    {
        const string mounts = "/dev/sdc1 /media/usb\\040stick\\011tab\\134back vfat rw 0 0\n";

        Assert.Equal("/media/usb stick\ttab\\back", Assert.Single(DiskCollector.ParseMounts(mounts)).Mountpoint);
    }

    [Fact]
    public void A_backslash_without_three_octal_digits_is_kept_as_written()
    {
        const string mounts = "/dev/sdc1 /media/odd\\089name vfat rw 0 0\n";

        Assert.Equal("/media/odd\\089name", Assert.Single(DiskCollector.ParseMounts(mounts)).Mountpoint);
    }

    [Fact]
    public void Ram_backed_zram_is_not_a_disk()
    {
        var disk = (DiskSection)new DiskCollector(Fixtures.Root(Fixtures.HostVm), _ => null).Collect(T0);

        Assert.Equal(["vda"], disk.Io.Select(io => io.Device));
    }

    [Fact]
    public void Vm_has_one_data_filesystem()
    {
        var mounts = DiskCollector.ParseMounts(Fixtures.Read(Fixtures.HostVm, "proc/self/mounts"));

        Assert.Equal([new MountEntry("/dev/vda", "/", "ext4")], mounts);
    }

    [Fact]
    public void Usage_comes_from_statvfs_and_mounts_without_an_answer_are_left_out()
    {
        var spaces = new Dictionary<string, FileSystemSpace>
        {
            ["/"] = new(500 * GiB, 200 * GiB, 180 * GiB),
            ["/boot/efi"] = new(1 * GiB, 1 * GiB - 6 * 1024 * 1024, 1 * GiB - 6 * 1024 * 1024),
            ["/data"] = new(4000 * GiB, 1000 * GiB, 1000 * GiB),
            ["/mnt/pool"] = new(2000 * GiB, 1500 * GiB, 1500 * GiB),
            ["/tank"] = new(8000 * GiB, 3000 * GiB, 3000 * GiB),
            ["/tank/backups"] = new(0, 0, 0),
            ["/mnt/scratch space"] = new(100 * GiB, 90 * GiB, 85 * GiB),
            // /mnt/media: the NFS server does not answer, statvfs gives nothing.
        };
        var collector = new DiskCollector(Fixtures.Root(Fixtures.HostBigIron), m => spaces.TryGetValue(m, out var s) ? s : null);

        var disk = (DiskSection)collector.Collect(T0);

        Assert.Equal(["/", "/boot/efi", "/data", "/mnt/pool", "/tank", "/mnt/scratch space"], disk.Mounts.Select(m => m.Mountpoint));
        Assert.Equal(new MountUsage("/dev/nvme0n1p2", "/", "ext4", 500 * GiB, 300 * GiB, 180 * GiB), disk.Mounts[0]);
        Assert.Equal(new MountUsage("/dev/mapper/vg0-scratch", "/mnt/scratch space", "ext4", 100 * GiB, 10 * GiB, 85 * GiB), disk.Mounts[^1]);
    }

    [Fact]
    public void Diskstats_counts_sectors_of_512_bytes()
    {
        var counters = DiskCollector.ParseDiskStats(Fixtures.Read(Fixtures.HostBigIron, "proc/diskstats")).ToDictionary(c => c.Device);

        Assert.Equal(9, counters.Count);
        Assert.Equal(new DiskCounters("nvme0n1", 98765432 * Sector, 234567890 * Sector), counters["nvme0n1"]);
        Assert.Equal(new DiskCounters("sda1", 12345 * Sector, 96 * Sector), counters["sda1"]);
    }

    [Fact]
    public void Io_is_reported_for_whole_disks_only()
    {
        var collector = new DiskCollector(Fixtures.Root(Fixtures.HostBigIron), _ => null);

        var disk = (DiskSection)collector.Collect(T0);

        // Partitions are not in /sys/block; loop devices are; dm-0 is a whole block device of its own.
        Assert.Equal(["nvme0n1", "nvme1n1", "sda", "dm-0"], disk.Io.Select(io => io.Device));
        Assert.Equal(new DiskIo("nvme1n1", 412345678 * Sector, 876543210 * Sector, 0, 0), disk.Io[1]);
        Assert.Empty(disk.Mounts);
    }

    [Fact]
    public void Io_rates_from_two_snapshots_of_the_vm()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new DiskCollector(host.Root, _ => new FileSystemSpace(100 * GiB, 50 * GiB, 45 * GiB));

        var first = (DiskSection)collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        var second = (DiskSection)collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        Assert.DoesNotContain(second.Io, io => io.Device.StartsWith("loop", StringComparison.Ordinal));
        Assert.Equal(new DiskIo("vda", 2152386 * Sector, 2731112 * Sector, 0, 0), first.Io.Single(io => io.Device == "vda"));
        // Between the captures dd wrote 50 MiB with O_DIRECT: 102464 sectors written, 480 read, in 3 s.
        Assert.Equal(
            new DiskIo("vda", 2152866 * Sector, 2833576 * Sector, 480 * Sector / 3.0, Math.Round(102464 * Sector / 3.0, 1)),
            second.Io.Single(io => io.Device == "vda"));
        Assert.Equal([new MountUsage("/dev/vda", "/", "ext4", 100 * GiB, 50 * GiB, 45 * GiB)], second.Mounts);
    }

    [Fact]
    public void Live_host_reports_its_root_filesystem_and_block_devices()
    {
        var collector = new DiskCollector(HostRoot.Live);

        var disk = (DiskSection)collector.Collect(DateTime.UtcNow);

        var root = Assert.Single(disk.Mounts, m => m.Mountpoint == "/");
        var drive = new DriveInfo("/");
        Assert.Equal(drive.TotalSize, root.Total);
        Assert.InRange(root.Used, 0, root.Total);
        Assert.Equal(disk.Mounts.Count, disk.Mounts.Select(m => m.Device).Distinct().Count());
        var blockDevices = Directory.Exists("/sys/block") ? Directory.GetFileSystemEntries("/sys/block").Select(Path.GetFileName).ToHashSet() : [];
        Assert.All(disk.Io, io =>
        {
            Assert.False(io.Device.StartsWith("loop", StringComparison.Ordinal), io.Device);
            if (blockDevices.Count > 0)
                Assert.Contains(io.Device, blockDevices);
        });
    }
}
