using System.Security.Cryptography;
using System.Text;

namespace Tyto.Actors.Alerts;

/// <summary>How a rule judges values: how long a condition must hold, and how far below a line a value must fall.</summary>
/// <param name="For">How long a condition must hold before the rule acts (zero: at once).</param>
/// <param name="Hysteresis">Points below a line a value must fall to count as under it again.</param>
public sealed record AlertRuleSettings(TimeSpan For, double Hysteresis)
{
    public static readonly AlertRuleSettings Default = new(TimeSpan.FromSeconds(10), 2);
}

/// <summary>An alert that is raised and not resolved, acknowledged or not.</summary>
public sealed record ActiveAlert(
    string AlertId, string AgentId, AlertType Type, string? Mount, AlertLevel Level, double Value, double Threshold, DateTime RaisedAt, string? AcknowledgedBy, DateTime? AcknowledgedAt);

/// <summary>
/// One alert rule of one agent (a type, and for disk a mount): the alert it holds, if any, and the condition
/// that is waiting to have held long enough (<see cref="PendingLevel"/> since <see cref="PendingSince"/>; none
/// while <see cref="PendingSince"/> is null). <see cref="Evaluate"/> decides from a value; <see cref="Apply"/>
/// folds an event in, the same way live and in replay.
/// </summary>
public sealed record AlertRuleState(
    string AgentId, AlertType Type, string? Mount, ActiveAlert? Active, int Raised, AlertLevel PendingLevel, DateTime? PendingSince) : ITytoSnapshot
{
    public static AlertRuleState Initial(string agentId, AlertType type, string? mount) => new(agentId, type, mount, null, 0, AlertLevel.None, null);

    /// <summary>The id the next raised alert gets: the rule's agent and name, and how many it raised before (<c>web-1:cpu:3</c>).</summary>
    public string NextAlertId => $"{AgentId}:{RuleName(Type, Mount)}:{Raised + 1}";

    /// <summary>
    /// A rule's name within its agent: its type, and for disk a hash of the mount point, which may hold
    /// characters that neither an actor name nor a URL segment can.
    /// </summary>
    public static string RuleName(AlertType type, string? mount) => mount is null
        ? type.ToString().ToLowerInvariant()
        : $"disk-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(mount)))[..16].ToLowerInvariant()}";

    /// <summary>
    /// Judges one value. Without an alert, a level at or above warning that holds for <see cref="AlertRuleSettings.For"/>
    /// raises one. With an alert, a different level that holds as long changes its level, and a value under the
    /// warning line less the hysteresis for as long resolves it; a value hovering at a line does neither.
    /// Returns the events to persist and the state with the pending condition updated.
    /// </summary>
    public (AlertRuleState State, IReadOnlyList<IAlertEvent> Events) Evaluate(double value, DateTime at, Threshold threshold, AlertRuleSettings settings)
    {
        var target = Target(value, threshold, settings.Hysteresis);
        var current = Active?.Level ?? AlertLevel.None;
        if (target == current)
            return (this with { PendingLevel = AlertLevel.None, PendingSince = null }, []);
        // A condition that keeps pointing the same way keeps its start; it then moves only as far as it held.
        var sameWay = PendingSince is not null && PendingLevel != current && (PendingLevel > current) == (target > current);
        var waiting = sameWay
            ? this with { PendingLevel = target > current ? Min(PendingLevel, target) : Max(PendingLevel, target) }
            : this with { PendingLevel = target, PendingSince = at };
        if (at - waiting.PendingSince!.Value < settings.For)
            return (waiting, []);
        target = waiting.PendingLevel;

        IAlertEvent change = (Active, target) switch
        {
            (null, _) => new AlertRaised(NextAlertId, AgentId, Type, Mount, target, value, threshold.LineOf(target), at),
            (_, AlertLevel.None) => new AlertResolved(Active.AlertId, value, at),
            _ => new AlertLevelChanged(Active.AlertId, target, value, threshold.LineOf(target), at),
        };
        return (waiting.Apply(change), [change]);
    }

    /// <summary>Acknowledges the active alert; nothing to do when it is already acknowledged.</summary>
    public IReadOnlyList<IAlertEvent> Acknowledge(string by, DateTime at) =>
        Active is null || Active.AcknowledgedBy is not null ? [] : [new AlertAcknowledged(Active.AlertId, by, at)];

    /// <summary>Resolves the active alert whatever the values say, as when its agent is removed; nothing to do without one.</summary>
    public IReadOnlyList<IAlertEvent> Resolve(DateTime at) => Active is null ? [] : [new AlertResolved(Active.AlertId, Active.Value, at)];

    public AlertRuleState Apply(IAlertEvent @event) => @event switch
    {
        AlertRaised raised => this with
        {
            Active = new ActiveAlert(raised.AlertId, raised.AgentId, raised.Type, raised.Mount, raised.Level, raised.Value, raised.Threshold, raised.At, null, null),
            Raised = Raised + 1,
            PendingLevel = AlertLevel.None,
            PendingSince = null,
        },
        AlertLevelChanged changed when Active is not null => this with
        {
            Active = Active with { Level = changed.Level, Value = changed.Value, Threshold = changed.Threshold },
            PendingLevel = AlertLevel.None,
            PendingSince = null,
        },
        AlertAcknowledged acknowledged when Active is not null => this with { Active = Active with { AcknowledgedBy = acknowledged.By, AcknowledgedAt = acknowledged.At } },
        AlertResolved => this with { Active = null, PendingLevel = AlertLevel.None, PendingSince = null },
        _ => this,
    };

    private static AlertLevel Min(AlertLevel a, AlertLevel b) => a < b ? a : b;

    private static AlertLevel Max(AlertLevel a, AlertLevel b) => a > b ? a : b;

    /// <summary>
    /// The level the rule should be at for this value. Going up needs the line itself; coming down needs the
    /// value below the line less the hysteresis, else the current level stands.
    /// </summary>
    private AlertLevel Target(double value, Threshold threshold, double hysteresis)
    {
        var reached = threshold.LevelOf(value);
        var current = Active?.Level ?? AlertLevel.None;
        if (reached >= current)
            return reached;
        return threshold.LevelOf(value + hysteresis) < current ? threshold.LevelOf(value + hysteresis) : current;
    }
}
