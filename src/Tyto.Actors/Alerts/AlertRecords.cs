using LinqToDB.Mapping;

namespace Tyto.Actors.Alerts;

/// <summary>The rule an alert belongs to, as its raise names it: which agent, what was watched, and for disk the mount.</summary>
public sealed record AlertOrigin(string AgentId, AlertType Type, string? Mount)
{
    public static AlertOrigin Of(AlertRaised raised) => new(raised.AgentId, raised.Type, raised.Mount);
}

/// <summary>An alert event as the history lists it, with the rule its alert belongs to.</summary>
public sealed record AlertHistoryEntry(IAlertEvent Event, AlertOrigin Origin);

/// <summary>
/// A row of <c>alert_events</c>: one alert event, keyed by the journal's own key (persistence id, sequence number) so
/// that projecting it again changes nothing, with the journal's ordering and its alert's origin for indexed queries.
/// </summary>
[Table("alert_events")]
public sealed class AlertEventRecord
{
    public const string Raised = "raised";
    public const string LevelChanged = "level_changed";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";

    [Column("persistence_id", Length = 255), PrimaryKey(0), NotNull]
    public string PersistenceId { get; set; } = "";

    [Column("sequence_nr"), PrimaryKey(1)]
    public long SequenceNr { get; set; }

    /// <summary>The journal's global ordering: the order the board folds events in.</summary>
    [Column("ordering"), NotNull]
    public long Ordering { get; set; }

    [Column("alert_id", Length = 255), NotNull]
    public string AlertId { get; set; } = "";

    [Column("agent_id", Length = 64), NotNull]
    public string AgentId { get; set; } = "";

    [Column("type", Length = 16), NotNull]
    public string Type { get; set; } = "";

    [Column("mount", Length = 4096), Nullable]
    public string? Mount { get; set; }

    [Column("kind", Length = 16), NotNull]
    public string Kind { get; set; } = "";

    [Column("level", Length = 16), Nullable]
    public string? Level { get; set; }

    [Column("value"), Nullable]
    public double? Value { get; set; }

    [Column("threshold"), Nullable]
    public double? Threshold { get; set; }

    [Column("acknowledged_by", Length = 64), Nullable]
    public string? AcknowledgedBy { get; set; }

    /// <summary>The event's own time in UTC ticks: exact, so a replay compares instants as the events hold them.</summary>
    [Column("at"), NotNull]
    public long At { get; set; }

    public static AlertEventRecord From(string persistenceId, long sequenceNr, long ordering, IAlertEvent @event, AlertOrigin origin)
    {
        var record = new AlertEventRecord
        {
            PersistenceId = persistenceId,
            SequenceNr = sequenceNr,
            Ordering = ordering,
            AlertId = @event.AlertId,
            AgentId = origin.AgentId,
            Type = origin.Type.ToString(),
            Mount = origin.Mount,
            At = @event.At.Ticks,
        };
        (record.Kind, record.Level, record.Value, record.Threshold, record.AcknowledgedBy) = @event switch
        {
            AlertRaised e => Columns(Raised, e.Level.ToString(), e.Value, e.Threshold, null),
            AlertLevelChanged e => Columns(LevelChanged, e.Level.ToString(), e.Value, e.Threshold, null),
            AlertAcknowledged e => Columns(Acknowledged, null, null, null, e.By),
            AlertResolved e => Columns(Resolved, null, e.Value, null, null),
            _ => throw new ArgumentException($"Unknown alert event {@event.GetType().Name}", nameof(@event)),
        };
        return record;
    }

    private static (string Kind, string? Level, double? Value, double? Threshold, string? AcknowledgedBy) Columns(
        string kind, string? level, double? value, double? threshold, string? acknowledgedBy) => (kind, level, value, threshold, acknowledgedBy);

    public AlertOrigin Origin => new(AgentId, Enum.Parse<AlertType>(Type), Mount);

    public IAlertEvent ToEvent()
    {
        var at = new DateTime(At, DateTimeKind.Utc);
        return Kind switch
        {
            Raised => new AlertRaised(AlertId, AgentId, Enum.Parse<AlertType>(Type), Mount, Enum.Parse<AlertLevel>(Level!), Value!.Value, Threshold!.Value, at),
            LevelChanged => new AlertLevelChanged(AlertId, Enum.Parse<AlertLevel>(Level!), Value!.Value, Threshold!.Value, at),
            Acknowledged => new AlertAcknowledged(AlertId, AcknowledgedBy!, at),
            _ => new AlertResolved(AlertId, Value!.Value, at),
        };
    }
}

/// <summary>A row of <c>alert_projection</c>: how far into the journal's <c>alert</c> tag the board's rows reach.</summary>
[Table("alert_projection")]
public sealed class AlertProjectionRecord
{
    [Column("name", Length = 64), PrimaryKey, NotNull]
    public string Name { get; set; } = "";

    /// <summary>The journal ordering of the last event projected.</summary>
    [Column("position"), NotNull]
    public long Position { get; set; }
}
