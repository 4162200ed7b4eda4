namespace Tyto.Actors.Alerts;

/// <summary>What an alert rule watches: total CPU %, memory used %, or the used % of one mount.</summary>
public enum AlertType
{
    Cpu,
    Memory,
    Disk,
}

/// <summary>How bad an alert is; <see cref="None"/> is a value below both thresholds.</summary>
public enum AlertLevel
{
    None,
    Warning,
    Critical,
}

/// <summary>The warning and critical lines of one alert type, in percent.</summary>
public sealed record Threshold(double Warning, double Critical)
{
    /// <summary>The level a value reaches: critical at or above the critical line, warning at or above the warning line.</summary>
    public AlertLevel LevelOf(double value) =>
        value >= Critical ? AlertLevel.Critical : value >= Warning ? AlertLevel.Warning : AlertLevel.None;

    public double LineOf(AlertLevel level) => level == AlertLevel.Critical ? Critical : Warning;
}

/// <summary>A change to some thresholds; a null line keeps its current value.</summary>
public sealed record ThresholdChange(AlertType Type, double? Warning, double? Critical);

/// <summary>Why a change of thresholds was refused: the field (<c>cpu.warning</c>) and what is wrong with it.</summary>
public sealed record ThresholdProblem(string Field, string Problem);

/// <summary>The thresholds of every alert type, with API.md's defaults.</summary>
public sealed record AlertThresholds(Threshold Cpu, Threshold Memory, Threshold Disk) : ITytoSnapshot
{
    public static readonly AlertThresholds Default = new(new Threshold(80, 95), new Threshold(85, 95), new Threshold(80, 90));

    public Threshold For(AlertType type) => type switch
    {
        AlertType.Cpu => Cpu,
        AlertType.Memory => Memory,
        _ => Disk,
    };

    /// <summary>
    /// Merges <paramref name="changes"/> into these thresholds: each line must lie within 0–100 and, after the
    /// merge, every warning line below its critical line. Either every change applies or none does.
    /// </summary>
    public (AlertThresholds? Merged, IReadOnlyList<ThresholdProblem> Problems) Merge(IEnumerable<ThresholdChange> changes)
    {
        var merged = this;
        var problems = new List<ThresholdProblem>();
        foreach (var change in changes)
        {
            var name = change.Type.ToString().ToLowerInvariant();
            foreach (var (line, value) in new[] { ("warning", change.Warning), ("critical", change.Critical) })
            {
                if (value is { } v && (double.IsNaN(v) || v < 0 || v > 100))
                    problems.Add(new ThresholdProblem($"{name}.{line}", "must be a number from 0 to 100"));
            }
            var current = merged.For(change.Type);
            var next = new Threshold(change.Warning ?? current.Warning, change.Critical ?? current.Critical);
            merged = change.Type switch
            {
                AlertType.Cpu => merged with { Cpu = next },
                AlertType.Memory => merged with { Memory = next },
                _ => merged with { Disk = next },
            };
        }
        foreach (var type in Enum.GetValues<AlertType>())
        {
            var threshold = merged.For(type);
            if (threshold.Warning >= threshold.Critical)
                problems.Add(new ThresholdProblem($"{type.ToString().ToLowerInvariant()}.warning", $"must be below the critical line ({threshold.Critical})"));
        }
        return problems.Count == 0 ? (merged, problems) : (null, problems);
    }
}
