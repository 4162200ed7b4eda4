using Akka.Persistence.Query;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Alerts;

/// <summary>
/// The alert read model: every alert event of the journal's <c>alert</c> tag in <c>alert_events</c>, written by
/// <see cref="AlertProjection"/> together with how far it got, so the board (now or at any instant) and the history
/// are indexed queries instead of a read of the whole journal. Writes are keyed by the journal's own key and the
/// position only moves forward, so every node may project the same events: a repeat changes nothing.
/// </summary>
public sealed class AlertBoard(TytoDatabase database)
{
    private const string Projection = "alert";

    private const string InsertEvent = """
        INSERT INTO alert_events (persistence_id, sequence_nr, ordering, alert_id, agent_id, type, mount, kind, level, value, threshold, acknowledged_by, at)
        VALUES (@persistence_id, @sequence_nr, @ordering, @alert_id, @agent_id, @type, @mount, @kind, @level, @value, @threshold, @acknowledged_by, @at)
        ON CONFLICT (persistence_id, sequence_nr) DO NOTHING
        """;

    private const string SavePosition = """
        INSERT INTO alert_projection (name, position) VALUES (@name, @position)
        ON CONFLICT (name) DO UPDATE SET position = CASE WHEN excluded.position > alert_projection.position THEN excluded.position ELSE alert_projection.position END
        """;

    public static void CreateTables(DataConnection db)
    {
        db.CreateTable<AlertEventRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<AlertProjectionRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.Execute("CREATE INDEX IF NOT EXISTS ix_alert_events_alert_id ON alert_events (alert_id, ordering)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_alert_events_at ON alert_events (at, ordering)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_alert_events_agent_id ON alert_events (agent_id, at)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_alert_events_kind ON alert_events (kind, at)");
    }

    /// <summary>Where the projection goes on from: just past the last event projected, or the start when there is none.</summary>
    public async Task<Offset> OffsetAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        return await PositionAsync(db, cancellationToken) is { } at ? Offset.Sequence(at) : Offset.NoOffset();
    }

    /// <summary>Whether the board holds every alert event the journal's tag table holds now.</summary>
    public async Task<bool> HoldsJournalAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var journal = await db.ExecuteAsync<long?>(
            "SELECT max(ordering_id) FROM tags WHERE tag = @tag", cancellationToken, new DataParameter("tag", AlertRuleActor.Tag, DataType.NVarChar));
        return (await PositionAsync(db, cancellationToken) ?? 0) >= (journal ?? 0);
    }

    /// <summary>
    /// Writes a batch of the tag's events and the position past it in one transaction, so rows and position never
    /// disagree. An event whose alert was never raised is skipped, as the journal's own fold skips it.
    /// </summary>
    public async Task ProjectAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        if (envelopes.Count == 0)
            return;
        await using var db = database.Open();
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        var alertIds = envelopes.Select(e => e.Event).OfType<IAlertEvent>().Select(e => e.AlertId).Distinct().ToList();
        var origins = (await db.GetTable<AlertEventRecord>().Where(r => r.Kind == AlertEventRecord.Raised && alertIds.Contains(r.AlertId)).ToListAsync(cancellationToken))
            .ToDictionary(r => r.AlertId, r => r.Origin, StringComparer.Ordinal);
        foreach (var envelope in envelopes)
        {
            if (envelope.Event is not IAlertEvent @event)
                continue;
            if (@event is AlertRaised raised)
                origins[raised.AlertId] = AlertOrigin.Of(raised);
            if (!origins.TryGetValue(@event.AlertId, out var origin))
                continue;
            var record = AlertEventRecord.From(envelope.PersistenceId, envelope.SequenceNr, OrderingOf(envelope), @event, origin);
            await db.ExecuteAsync(InsertEvent, cancellationToken,
                new DataParameter("persistence_id", record.PersistenceId, DataType.NVarChar),
                new DataParameter("sequence_nr", record.SequenceNr, DataType.Int64),
                new DataParameter("ordering", record.Ordering, DataType.Int64),
                new DataParameter("alert_id", record.AlertId, DataType.NVarChar),
                new DataParameter("agent_id", record.AgentId, DataType.NVarChar),
                new DataParameter("type", record.Type, DataType.NVarChar),
                new DataParameter("mount", record.Mount, DataType.NVarChar),
                new DataParameter("kind", record.Kind, DataType.NVarChar),
                new DataParameter("level", record.Level, DataType.NVarChar),
                new DataParameter("value", record.Value, DataType.Double),
                new DataParameter("threshold", record.Threshold, DataType.Double),
                new DataParameter("acknowledged_by", record.AcknowledgedBy, DataType.NVarChar),
                new DataParameter("at", record.At, DataType.Int64));
        }
        await db.ExecuteAsync(SavePosition, cancellationToken,
            new DataParameter("name", Projection, DataType.NVarChar),
            new DataParameter("position", envelopes.Max(OrderingOf), DataType.Int64));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The alerts active at <paramref name="at"/> (null: now), oldest first, of one agent or all. Per rule only its
    /// last alert raised by then can be active, so only the events of those alerts are read, and folded as
    /// <see cref="ActiveAt"/> folds the whole history.
    /// </summary>
    public async Task<IReadOnlyList<ActiveAlert>> ActiveAtAsync(DateTime? at, string? agentId, CancellationToken cancellationToken = default)
    {
        var until = at?.Ticks ?? long.MaxValue;
        await using var db = database.Open();
        var events = db.GetTable<AlertEventRecord>();
        var raises = events.Where(r => r.Kind == AlertEventRecord.Raised && r.At <= until && (agentId == null || r.AgentId == agentId));
        var candidates = raises
            .Where(r => !raises.Any(later => later.PersistenceId == r.PersistenceId && later.SequenceNr > r.SequenceNr))
            .Where(r => !events.Any(e => e.AlertId == r.AlertId && e.Kind == AlertEventRecord.Resolved && e.At <= until))
            .Select(r => r.AlertId);
        var records = await events.Where(e => candidates.Contains(e.AlertId) && e.At <= until).OrderBy(e => e.Ordering).ToListAsync(cancellationToken);
        return ActiveAt(records.Select(r => r.ToEvent()), at);
    }

    /// <summary>How an alert was raised, or null when no alert has that id (or its raise is not projected yet).</summary>
    public async Task<AlertRaised?> RaisedAsync(string alertId, CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        var record = await db.GetTable<AlertEventRecord>().FirstOrDefaultAsync(r => r.AlertId == alertId && r.Kind == AlertEventRecord.Raised, cancellationToken);
        return (AlertRaised?)record?.ToEvent();
    }

    /// <summary>
    /// The alert events in <c>[from, to)</c> in the order they happened (the journal's order among equal times),
    /// filtered by agent and type: the page asked for and how many match in all.
    /// </summary>
    public async Task<(IReadOnlyList<AlertHistoryEntry> Page, int Total)> HistoryAsync(
        DateTime? from, DateTime? to, string? agentId, AlertType? type, int skip, int take, CancellationToken cancellationToken = default)
    {
        var (since, until) = (from?.Ticks ?? long.MinValue, to?.Ticks ?? long.MaxValue);
        var typeName = type?.ToString();
        await using var db = database.Open();
        var matching = db.GetTable<AlertEventRecord>()
            .Where(r => r.At >= since && r.At < until && (agentId == null || r.AgentId == agentId) && (typeName == null || r.Type == typeName));
        var total = await matching.CountAsync(cancellationToken);
        var page = await matching.OrderBy(r => r.At).ThenBy(r => r.Ordering).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return ([.. page.Select(r => new AlertHistoryEntry(r.ToEvent(), r.Origin))], total);
    }

    /// <summary>
    /// The alerts active at <paramref name="at"/> (null: now), oldest first: the events up to then, in journal order,
    /// folded per rule with the rule state's own <see cref="AlertRuleState.Apply"/>.
    /// </summary>
    public static IReadOnlyList<ActiveAlert> ActiveAt(IEnumerable<IAlertEvent> events, DateTime? at)
    {
        var rules = new Dictionary<string, AlertRuleState>(StringComparer.Ordinal);
        var ruleOfAlert = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var @event in events.Where(e => at is null || e.At <= at))
        {
            if (@event is AlertRaised raised)
            {
                var rule = AlertRuleActor.PersistenceIdFor(raised.AgentId, raised.Type, raised.Mount);
                ruleOfAlert[raised.AlertId] = rule;
                rules.TryAdd(rule, AlertRuleState.Initial(raised.AgentId, raised.Type, raised.Mount));
            }
            if (ruleOfAlert.TryGetValue(@event.AlertId, out var key))
                rules[key] = rules[key].Apply(@event);
        }
        return [.. rules.Values.Select(r => r.Active).OfType<ActiveAlert>().OrderBy(a => a.RaisedAt)];
    }

    private static Task<long?> PositionAsync(DataConnection db, CancellationToken cancellationToken) =>
        db.GetTable<AlertProjectionRecord>().Where(p => p.Name == Projection).Select(p => (long?)p.Position).FirstOrDefaultAsync(cancellationToken);

    private static long OrderingOf(EventEnvelope envelope) => ((Sequence)envelope.Offset).Value;
}
