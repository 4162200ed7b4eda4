
namespace Tyto.Collection;

/// <summary>Every hwmon temperature input and every thermal zone not already exposed through hwmon.</summary>
public sealed class TemperatureCollector(HostRoot root) : ISynchronousCollector
{
    public string Name => "temperature";

    public ISampleSection Collect(DateTime at)
    {
        var sensors = new List<TemperatureSensor>();
        var chips = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hwmon in root.List("sys/class/hwmon").Order(StringComparer.Ordinal))
        {
            var directory = $"sys/class/hwmon/{hwmon}";
            var chip = root.ReadLine($"{directory}/name") ?? hwmon;
            chips.Add(chip);
            var inputs = root.List(directory)
                .Where(f => f.StartsWith("temp", StringComparison.Ordinal) && f.EndsWith("_input", StringComparison.Ordinal))
                .OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal);
            foreach (var input in inputs)
            {
                var prefix = input[..^"_input".Length];
                if (root.ReadMilliCelsius($"{directory}/{input}") is not { } value)
                    continue;
                var label = root.ReadLine($"{directory}/{prefix}_label");
                sensors.Add(new TemperatureSensor(
                    string.IsNullOrEmpty(label) ? $"{chip} {prefix}" : label,
                    value,
                    root.ReadMilliCelsius($"{directory}/{prefix}_max"),
                    root.ReadMilliCelsius($"{directory}/{prefix}_crit")));
            }
        }

        foreach (var zone in root.List("sys/class/thermal").Where(z => z.StartsWith("thermal_zone", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var directory = $"sys/class/thermal/{zone}";
            var type = root.ReadLine($"{directory}/type") ?? zone;
            if (chips.Contains(type) || root.ReadMilliCelsius($"{directory}/temp") is not { } value)
                continue;
            var trips = TripPoints(directory);
            sensors.Add(new TemperatureSensor(type, value, trips.GetValueOrDefault("hot") ?? trips.GetValueOrDefault("passive"), trips.GetValueOrDefault("critical")));
        }
        return new TemperatureSection(sensors);
    }

    private Dictionary<string, double?> TripPoints(string zone)
    {
        var result = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var file in root.List(zone).Where(f => f.StartsWith("trip_point_", StringComparison.Ordinal) && f.EndsWith("_type", StringComparison.Ordinal)))
        {
            var type = root.ReadLine($"{zone}/{file}");
            if (type is not null && !result.ContainsKey(type))
                result[type] = root.ReadMilliCelsius($"{zone}/{file[..^"_type".Length]}_temp");
        }
        return result;
    }
}
