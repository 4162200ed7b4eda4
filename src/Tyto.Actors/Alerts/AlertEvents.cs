namespace Tyto.Actors.Alerts;

/// <summary>Something that happened to one alert; each carries its own time, so a replay never asks the clock.</summary>
public interface IAlertEvent : ITytoEvent
{
    string AlertId { get; }

    DateTime At { get; }
}

/// <summary>A condition held for the required time: an alert is raised at <paramref name="Level"/>.</summary>
/// <param name="AlertId">The alert's id, unique across agents and rules.</param>
/// <param name="AgentId">The agent the value came from.</param>
/// <param name="Type">What was watched.</param>
/// <param name="Mount">The mount point, for disk alerts.</param>
/// <param name="Level">Warning or critical.</param>
/// <param name="Value">The value that raised it.</param>
/// <param name="Threshold">The line it crossed.</param>
/// <param name="At">The time of the sample that raised it.</param>
public sealed record AlertRaised(
    string AlertId, string AgentId, AlertType Type, string? Mount, AlertLevel Level, double Value, double Threshold, DateTime At) : IAlertEvent;

/// <summary>An active alert escalated (warning to critical) or de-escalated (critical to warning).</summary>
public sealed record AlertLevelChanged(string AlertId, AlertLevel Level, double Value, double Threshold, DateTime At) : IAlertEvent;

/// <summary>An operator acknowledged an active alert.</summary>
public sealed record AlertAcknowledged(string AlertId, string By, DateTime At) : IAlertEvent;

/// <summary>The value stayed below the warning line, less the hysteresis, for the required time.</summary>
public sealed record AlertResolved(string AlertId, double Value, DateTime At) : IAlertEvent;
