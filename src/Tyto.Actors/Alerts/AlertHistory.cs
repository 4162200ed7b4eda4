using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Alerts;

/// <summary>
/// The alert history as the journal holds it, read through Akka.Persistence.Query (<c>EventsByTag("alert")</c>):
/// the events in the order they were persisted, and the board of active alerts at any instant, rebuilt by
/// folding them with the rule state's own <see cref="AlertRuleState.Apply"/>.
/// </summary>
public sealed class AlertHistory(ActorSystem system)
{
    /// <summary>Every alert event stored so far, in the order the journal persisted them.</summary>
    public async Task<IReadOnlyList<IAlertEvent>> EventsAsync(CancellationToken cancellationToken)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var envelopes = await journal.CurrentEventsByTag(AlertRuleActor.Tag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer())
            .WaitAsync(cancellationToken);
        return [.. envelopes.Select(e => e.Event).OfType<IAlertEvent>()];
    }

    /// <summary>How an alert was raised, or null when no alert has that id.</summary>
    public async Task<AlertRaised?> RaisedAsync(string alertId, CancellationToken cancellationToken) =>
        (await EventsAsync(cancellationToken)).OfType<AlertRaised>().FirstOrDefault(r => r.AlertId == alertId);

    /// <summary>The alerts that were active at <paramref name="at"/> (null: now), oldest first.</summary>
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
}
