using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Agents;

/// <summary>
/// Every agent's lifecycle as this node last read it from the journal, for reads that span agents: the live query
/// <c>EventsByTag("agent")</c> folded with the entity's own <see cref="AgentState.Apply"/>. It follows the journal within the
/// read journal's refresh interval. Certificates stay revoked when their agent is removed or enrolls again.
/// </summary>
public sealed class AgentDirectory : IExtension
{
    private static readonly RestartSettings Restart = RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);

    private ImmutableDictionary<string, AgentState> _agents = ImmutableDictionary.Create<string, AgentState>(StringComparer.Ordinal);
    private ImmutableHashSet<string> _revoked = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);
    private Offset _offset = Offset.NoOffset();

    public AgentDirectory(ActorSystem system)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        // A query the store broke off starts again where it stopped.
        RestartSource.OnFailuresWithBackoff(() => journal.EventsByTag(AgentActor.Tag, _offset), Restart)
            .RunWith(Sink.ForEach<EventEnvelope>(Fold), system.Materializer());
    }

    public static AgentDirectory Get(ActorSystem system) => system.WithExtension<AgentDirectory, AgentDirectoryProvider>();

    /// <summary>The ids of the agents that exist now (pending ones until their request expires), in order.</summary>
    public IReadOnlyList<string> AgentIds(DateTime now) =>
        [.. _agents.Values.Where(a => a.IsKnown(now)).Select(a => a.AgentId).Order(StringComparer.Ordinal)];

    /// <summary>The agents waiting for approval whose request has not expired, in order.</summary>
    public IReadOnlyList<string> PendingIds(DateTime now) =>
        [.. _agents.Values.Where(a => a.IsPending(now)).Select(a => a.AgentId).Order(StringComparer.Ordinal)];

    /// <summary>How many requests wait for approval: what <c>Tyto:Agents:MaxPending</c> caps.</summary>
    public int PendingCount(DateTime now) => _agents.Values.Count(a => a.IsPending(now));

    /// <summary>The serials of certificates that must not be accepted any more: revoked, or of an agent since removed.</summary>
    public IReadOnlySet<string> RevokedSerials => _revoked;

    public bool IsRevoked(string serial) => _revoked.Contains(serial);

    /// <summary>Folds one event in; the query calls this for one event at a time.</summary>
    private void Fold(EventEnvelope envelope)
    {
        _offset = envelope.Offset;
        if (envelope.Event is not IAgentEvent @event)
            return;
        var before = _agents.GetValueOrDefault(@event.AgentId) ?? AgentState.Unknown(@event.AgentId);
        switch (@event)
        {
            case AgentRevoked revoked:
                _revoked = _revoked.Add(revoked.Serial);
                break;
            case AgentRemoved when before.Certificate is { } certificate:
                _revoked = _revoked.Add(certificate.Serial);
                break;
        }
        var after = before.Apply(@event);
        _agents = after.Phase == AgentPhase.Unknown ? _agents.Remove(@event.AgentId) : _agents.SetItem(@event.AgentId, after);
    }
}

public sealed class AgentDirectoryProvider : ExtensionIdProvider<AgentDirectory>
{
    public override AgentDirectory CreateExtension(ExtendedActorSystem system) => new(system);
}
