using Tyto.Actors.Alerts;

namespace Tyto.Actors.Tests.Alerts;

public sealed class AlertThresholdsTests
{
    [Fact]
    public void The_defaults_are_those_of_the_API()
    {
        Assert.Equal(new Threshold(80, 95), AlertThresholds.Default.Cpu);
        Assert.Equal(new Threshold(85, 95), AlertThresholds.Default.Memory);
        Assert.Equal(new Threshold(80, 90), AlertThresholds.Default.Disk);
    }

    [Fact]
    public void A_partial_change_merges_into_the_current_thresholds()
    {
        var (merged, problems) = AlertThresholds.Default.Merge([new ThresholdChange(AlertType.Memory, 50, null), new ThresholdChange(AlertType.Disk, null, 99)]);

        Assert.Empty(problems);
        Assert.Equal(new AlertThresholds(new Threshold(80, 95), new Threshold(50, 95), new Threshold(80, 99)), merged);
    }

    [Theory]
    [InlineData(-1.0, null, "cpu.warning")]
    [InlineData(null, 100.5, "cpu.critical")]
    [InlineData(double.NaN, null, "cpu.warning")]
    [InlineData(96.0, null, "cpu.warning")]
    [InlineData(null, 80.0, "cpu.warning")]
    [InlineData(90.0, 90.0, "cpu.warning")]
    public void Lines_outside_0_to_100_or_a_warning_not_below_its_critical_are_refused_whole(double? warning, double? critical, string field)
    {
        var (merged, problems) = AlertThresholds.Default.Merge([new ThresholdChange(AlertType.Memory, 60, 70), new ThresholdChange(AlertType.Cpu, warning, critical)]);

        Assert.Null(merged);
        Assert.Contains(problems, p => p.Field == field);
    }

    [Fact]
    public void A_level_is_reached_at_its_line()
    {
        var cpu = AlertThresholds.Default.Cpu;

        Assert.Equal([AlertLevel.None, AlertLevel.Warning, AlertLevel.Warning, AlertLevel.Critical], new[] { 79.99, 80, 94.99, 95 }.Select(cpu.LevelOf));
    }
}
