using Tyto.Actors.Metrics;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Metrics;

public sealed class RawPointTests
{
    private static readonly DateTime At = new(2026, 3, 1, 12, 0, 0, 123, DateTimeKind.Utc);

    private static MetricsSample Sample() => MetricsSample.Empty("web-1", At.AddTicks(4567)) with
    {
        Cpu = new CpuSection([new CpuCore(0, 50, 2400)], 37.456, new LoadAverage(1.234, 0.5, 0.25)),
        Memory = new MemorySection(Total: 8_000, Used: 2_000, Free: 1_000, Available: 6_000, Buffers: 0, Cached: 0, SwapTotal: 0, SwapUsed: 0),
        Disk = new DiskSection(
            [new MountUsage("/dev/sda1", "/", "ext4", 1_000, 250, 750), new MountUsage("/dev/sdb1", "/data", "xfs", 3_000, 2_700, 300), new MountUsage("tmpfs", "/empty", "tmpfs", 0, 0, 0)],
            [new DiskIo("sda", 1, 1, 1_000.4, 10), new DiskIo("sdb", 1, 1, 2_000.2, 20.7)]),
        Network = new NetworkSection(
            [new NetworkInterfaceSample("lo", "127.0.0.1", null, 1, 1, 9_999, 9_999), new NetworkInterfaceSample("eth0", "10.0.0.2", null, 1, 1, 1_500.6, 700.2)], 3),
    };

    [Fact]
    public void A_sample_becomes_one_point_per_agent_with_the_series_history_keeps()
    {
        var point = RawPoint.From(Sample());

        Assert.Equal("web-1", point.AgentId);
        Assert.Equal(At, point.Timestamp);
        Assert.Equal(37.46, point[Series.Cpu]);
        Assert.Equal(25, point[Series.Memory]);
        Assert.Equal(0, point[Series.Swap]);
        Assert.Equal((1.23, 0.5, 0.25), (point[Series.Load1], point[Series.Load5], point[Series.Load15]));
        Assert.Equal(90, point[Series.Disk]);
        Assert.Equal((1_501.0, 700.0), (point[Series.NetworkRx], point[Series.NetworkTx]));
        Assert.Equal((3_001.0, 31.0), (point[Series.DiskRead], point[Series.DiskWrite]));
    }

    [Fact]
    public void Mounts_and_interfaces_become_labelled_series_without_loopback_or_empty_filesystems()
    {
        var point = RawPoint.From(Sample());

        Assert.Equal(
            new Dictionary<string, double> { ["mount:/"] = 25, ["mount:/data"] = 90, ["rx:eth0"] = 1_501, ["tx:eth0"] = 700 },
            point.Labelled.ToDictionary(p => p.Key.Key, p => p.Value));
    }

    [Fact]
    public void A_labelled_series_key_keeps_colons_in_its_label()
    {
        var series = LabelledSeries.Parse("mount:/mnt/a:b");

        Assert.Equal(new LabelledSeries("mount", "/mnt/a:b"), series);
        Assert.Throws<FormatException>(() => LabelledSeries.Parse("nocolon"));
    }
}
