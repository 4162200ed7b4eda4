using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class TemperatureCollectorTests
{
    [Fact]
    public void Big_server_sensors_with_labels_limits_and_thermal_zones()
    {
        var section = (TemperatureSection)new TemperatureCollector(Fixtures.Root(Fixtures.HostBigIron)).Collect(DateTime.UtcNow);

        Assert.Equal(
            [
                // hwmon0 coretemp: labelled inputs, temp10 after temp2 and temp3.
                new TemperatureSensor("Package id 0", 45.0, 80.0, 100.0),
                new TemperatureSensor("Core 0", 43.0, 80.0, 100.0),
                new TemperatureSensor("Core 1", 47.5, 80.0, 100.0),
                new TemperatureSensor("Core 8", 44.0, 80.0, 100.0),
                // hwmon1 nvme: no label, so chip name and input.
                new TemperatureSensor("nvme temp1", 38.9, 81.8, 84.8),
                // hwmon2 acpitz: no max.
                new TemperatureSensor("acpitz temp1", 27.8, null, 105.0),
                // thermal_zone0 is acpitz again and is skipped; zone1 has a passive trip point, zone2 a critical one.
                new TemperatureSensor("x86_pkg_temp", 52.0, 95.0, null),
                new TemperatureSensor("pch_cannonlake", 48.0, null, 115.0),
            ],
            section.Sensors);
    }

    [Fact]
    public void Vm_without_sensors_reports_none()
    {
        var section = (TemperatureSection)new TemperatureCollector(Fixtures.Root(Fixtures.HostVm)).Collect(DateTime.UtcNow);

        Assert.Empty(section.Sensors);
    }
}
