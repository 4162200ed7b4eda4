using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Alerts;

/// <summary>Judges one value of the rule's metric against the current threshold; the rule answers nothing.</summary>
public sealed record EvaluateRule(double Value, DateTime At, Threshold Threshold);

/// <summary>Acknowledges the rule's active alert on behalf of <paramref name="By"/>; answered with <see cref="AcknowledgeResult"/>.</summary>
public sealed record AcknowledgeAlert(string AlertId, string By, DateTime At);

/// <summary>Resolves the rule's active alert, if any, because its agent was removed; the rule answers nothing.</summary>
public sealed record ResolveRule(DateTime At);

/// <summary>The outcome of an acknowledgement: the alert as it now stands, or null when it is no longer active.</summary>
public sealed record AcknowledgeResult(string AlertId, ActiveAlert? Alert) : ITytoMessage;

/// <summary>What an agent needs to run its alert rules: where the thresholds come from, how rules judge, and who hears of alerts.</summary>
/// <param name="Thresholds">The thresholds singleton, subscribed to with <see cref="SubscribeToThresholds"/>.</param>
/// <param name="Settings">How long a condition must hold, and the hysteresis.</param>
/// <param name="SnapshotEvery">Events between two snapshots of a rule.</param>
/// <param name="Listener">Told every alert event once it is persisted.</param>
/// <param name="Board">The alert board, where a removed agent's active alerts are found.</param>
public sealed record AlertRules(IActorRef Thresholds, AlertRuleSettings Settings, int SnapshotEvery, IActorRef Listener, AlertBoard Board);

/// <summary>Asks for the rule's state.</summary>
public sealed record GetRuleState
{
    public static readonly GetRuleState Instance = new();
}

/// <summary>
/// One alert rule of one agent (DESIGN.md §3: a child of the agent's actor), event-sourced: every raise,
/// level change, acknowledgement and resolution is persisted, tagged <see cref="Tag"/>, before anyone is
/// told, and recovery folds the same events with the same <see cref="AlertRuleState.Apply"/>.
/// </summary>
public sealed class AlertRuleActor : TytoPersistentActor
{
    public const string Tag = "alert";

    private readonly int _snapshotEvery;
    private readonly AlertRuleSettings _settings;
    private readonly IActorRef _listener;
    private AlertRuleState _state;

    public AlertRuleActor(string agentId, AlertType type, string? mount, AlertRuleSettings settings, int snapshotEvery, IActorRef listener)
    {
        _state = AlertRuleState.Initial(agentId, type, mount);
        _settings = settings;
        _snapshotEvery = snapshotEvery;
        _listener = listener;
        PersistenceId = PersistenceIdFor(agentId, type, mount);

        Recover<IAlertEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer => offer.Snapshot is AlertRuleState, offer => _state = (AlertRuleState)offer.Snapshot);

        Command<EvaluateRule>(evaluate =>
        {
            var (next, events) = _state.Evaluate(evaluate.Value, evaluate.At, evaluate.Threshold, _settings);
            if (events.Count == 0)
            {
                // Only the pending condition moved; it is rebuilt from the next values after a restart.
                _state = next;
                return;
            }
            // The pending condition is kept as it stands once the events are applied.
            PersistEvents(ActorRefs.Nobody, events, () => _state = _state with { PendingLevel = next.PendingLevel, PendingSince = next.PendingSince });
        });
        Command<AcknowledgeAlert>(acknowledge =>
        {
            var requester = Sender;
            if (_state.Active?.AlertId != acknowledge.AlertId)
            {
                requester.Tell(new AcknowledgeResult(acknowledge.AlertId, null));
                return;
            }
            var events = _state.Acknowledge(acknowledge.By, acknowledge.At);
            if (events.Count == 0)
                requester.Tell(new AcknowledgeResult(acknowledge.AlertId, _state.Active));
            else
                PersistEvents(requester, events, () => requester.Tell(new AcknowledgeResult(acknowledge.AlertId, _state.Active)));
        });
        Command<ResolveRule>(resolve => PersistEvents(ActorRefs.Nobody, _state.Resolve(resolve.At), () => { }));
        Command<GetRuleState>(_ => Sender.Tell(_state));
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<DeleteSnapshotsSuccess>(_ => { });
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(string agentId, AlertType type, string? mount) =>
        $"alert-{agentId}-{type.ToString().ToLowerInvariant()}{(mount is null ? "" : "-" + mount)}";

    public static Props PropsFor(string agentId, AlertType type, string? mount, AlertRuleSettings settings, int snapshotEvery, IActorRef listener) =>
        Props.Create(() => new AlertRuleActor(agentId, type, mount, settings, snapshotEvery, listener));

    /// <summary>
    /// Persists the events, applies each, tells the listener, and runs <paramref name="then"/> after the last;
    /// <paramref name="requester"/> is told if they cannot be written.
    /// </summary>
    private void PersistEvents(IActorRef requester, IReadOnlyList<IAlertEvent> events, Action then)
    {
        var remaining = events.Count;
        PersistAllFor(requester, events.Select(e => new Tagged(e, [Tag])), tagged =>
        {
            var @event = (IAlertEvent)tagged.Payload;
            _state = _state.Apply(@event);
            _listener.Tell(@event);
            if (LastSequenceNr % _snapshotEvery == 0)
                SaveSnapshot(_state);
            if (--remaining == 0)
                then();
        });
    }
}
