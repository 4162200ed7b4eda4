using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Alerts;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Agents;

/// <summary>What an agent entity needs to enroll agents: the CA that signs their CSRs, and whether the pending queue is full now.</summary>
public sealed record AgentEnrollment(SignCsr Sign, Func<DateTime, bool> QueueFull);

/// <summary>
/// One monitored host, as a cluster-sharded, event-sourced entity: its lifecycle (pre-registration, enrollment, approval,
/// certificate, connections, revocation, removal) is persisted; its host link (the local monitor or the agent's channel
/// connection), its outbox counts and its latest sample live in memory.
/// </summary>
public sealed class AgentActor : TytoPersistentActor
{
    public const string Tag = "agent";
    private const int SnapshotEvery = 50;

    /// <summary>The most sample timestamps remembered to tell duplicates; the oldest go first.</summary>
    public const int MaxRememberedSamples = 100_000;

    private readonly AlertRules? _alerts;
    private readonly AgentEnrollment? _enrollment;
    private readonly SortedSet<long> _stored = [];
    private AgentState _state;
    private IActorRef? _host;
    private RegisterHost? _registration;
    private bool _hostIsChannel;
    private long _buffered;
    private long _dropped;
    private LatestSample _latest = new(null);
    private AlertThresholds? _thresholds;

    public AgentActor(string agentId, AlertRules? alerts = null, AgentEnrollment? enrollment = null)
    {
        _alerts = alerts;
        _enrollment = enrollment;
        _state = AgentState.Unknown(agentId);
        PersistenceId = $"agent-{agentId}";

        Recover<IAgentEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer => offer.Snapshot is AgentState, offer => _state = (AgentState)offer.Snapshot);

        Command<RegisterHost>(command =>
        {
            Attach(command.Monitor, channel: false);
            _registration = command;
            // The monitor registers again now and then (HostMonitorActor.RegisterEvery): a registration the journal refused stops
            // this actor, is reported as a store failure, and succeeds on a later try.
            Persist(ActorRefs.Nobody, _state.Decide(command, DateTime.UtcNow), () => { });
        });
        Command<PreRegisterAgent>(command => Decide(_state.Decide(command, DateTime.UtcNow)));
        Command<RequestEnrollment>(RequestEnrollment);
        Command<PollEnrollment>(poll =>
        {
            Sender.Tell(_state.Answer(poll, DateTime.UtcNow));
            PassivateIfUnknown();
        });
        Command<ApproveAgent>(command =>
        {
            if (_enrollment is null)
                Sender.Tell(new AgentReply(null, "NOT_FOUND", "This node enrolls no agents"));
            else
                Decide(_state.Decide(command, _enrollment.Sign, DateTime.UtcNow));
        });
        Command<RejectAgent>(command => Decide(_state.Decide(command, DateTime.UtcNow)));
        Command<RevokeAgent>(command => Decide(_state.Decide(command, DateTime.UtcNow), () => Disconnect("AGENT_REVOKED", $"The certificate of agent '{_state.AgentId}' was revoked")));
        Command<RemoveAgent>(RemoveAgent);
        Command<AdmitConnection>(AdmitConnection);
        Command<AgentHeartbeat>(heartbeat =>
        {
            if (!Accepts(heartbeat.Connection))
                return;
            _buffered = heartbeat.Buffered;
            _dropped = heartbeat.Dropped;
        });
        Command<OfferSample>(offer =>
        {
            if (!Accepts(offer.Connection))
            {
                Sender.Tell(new SampleVerdict(offer.Seq, false, _state.Phase == AgentPhase.Revoked ? "AGENT_REVOKED" : "AGENT_REMOVED"));
                return;
            }
            Sender.Tell(new SampleVerdict(offer.Seq, Remember(new DateTimeOffset(offer.Timestamp).ToUnixTimeMilliseconds()), null));
        });
        Command<RecordSample>(record =>
        {
            // Backlog samples, older than the latest, go to history only: the latest and the alerts are about now.
            if (!_state.IsKnown(DateTime.UtcNow) || record.Sample.Timestamp <= _latest.Sample?.Timestamp)
                return;
            _latest = new LatestSample(record.Sample);
            Evaluate(record.Sample);
        });
        Command<AlertThresholds>(thresholds => _thresholds = thresholds);
        Command<ActiveAlertsOfRemovedAgent>(removed =>
        {
            foreach (var alert in removed.Alerts)
                Rule(alert.Type, alert.Mount).Tell(new ResolveRule(removed.At));
        });
        Command<AcknowledgeAgentAlert>(acknowledge =>
        {
            if (_alerts is null)
            {
                Sender.Tell(new AcknowledgeResult(acknowledge.AlertId, null));
                return;
            }
            Rule(acknowledge.Type, acknowledge.Mount).Forward(new AcknowledgeAlert(acknowledge.AlertId, acknowledge.By, DateTime.UtcNow));
        });
        Command<GetAgent>(_ =>
        {
            Sender.Tell(new AgentLookup(View()));
            PassivateIfUnknown();
        });
        Command<GetLatestSample>(_ =>
        {
            Sender.Tell(_state.IsKnown(DateTime.UtcNow) ? _latest : new LatestSample(null));
            PassivateIfUnknown();
        });
        Command<QueryProcess>(query => ForwardToHost(new GetProcessDetails(query.Pid)));
        Command<QueryProcesses>(query => ForwardToHost(query.Query));
        Command<SendProcessSignal>(command => ForwardToHost(new SignalProcess(command.Pid, command.Signal)));
        Command<Terminated>(terminated =>
        {
            if (!terminated.ActorRef.Equals(_host))
                return;
            var wasChannel = _hostIsChannel;
            _host = null;
            if (wasChannel && _state.Phase == AgentPhase.Enrolled)
                Persist(ActorRefs.Nobody, [new AgentDisconnected(_state.AgentId, DateTime.UtcNow)], () => { });
        });
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<DeleteSnapshotsSuccess>(_ => { });
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        base.PreStart();
        if (_alerts is not null)
            Context.ActorOf(SingletonSubscription.PropsFor(_alerts.Thresholds, subscriber => new SubscribeToThresholds(subscriber)), "thresholds");
    }

    /// <summary>
    /// An entity that stops (passivated, handed off in a rebalance) while the local monitor is its host link has the monitor
    /// register again, so that its next incarnation, here or on another node, is linked at once.
    /// </summary>
    protected override void PostStop()
    {
        if (_registration is not null && _registration.Monitor.Equals(_host) && CoordinatedShutdown.Get(Context.System).ShutdownReason is null)
            _host.Tell(_registration);
        base.PostStop();
    }

    private void RequestEnrollment(RequestEnrollment command)
    {
        if (_enrollment is null)
        {
            Sender.Tell(new EnrollmentReply(null, "NOT_FOUND", "This node enrolls no agents"));
            return;
        }
        var now = DateTime.UtcNow;
        var decision = _state.Decide(command, _enrollment.Sign, command.TokenHash is null && _enrollment.QueueFull(now), now);
        var requester = Sender;
        if (decision.Refused)
        {
            requester.Tell(new EnrollmentReply(null, decision.ErrorCode, decision.Message));
            PassivateIfUnknown();
            return;
        }
        Persist(requester, decision.Events, () => requester.Tell(new EnrollmentReply(_state.Certificate?.Pem, null, null)));
    }

    private void RemoveAgent(RemoveAgent command)
    {
        var removed = View();
        Decide(_state.Decide(command, DateTime.UtcNow), () =>
        {
            Disconnect("AGENT_REMOVED", $"Agent '{_state.AgentId}' was removed");
            _buffered = _dropped = 0;
            _latest = new LatestSample(null);
            _stored.Clear();
            ResolveAlerts(DateTime.UtcNow);
        }, () => removed);
    }

    private void AdmitConnection(AdmitConnection command)
    {
        var decision = _state.Decide(command, DateTime.UtcNow);
        if (decision.Refused)
        {
            Sender.Tell(new AgentReply(null, decision.ErrorCode, decision.Message));
            PassivateIfUnknown();
            return;
        }
        if (_host is not null && _hostIsChannel && !_host.Equals(command.Connection))
            _host.Tell(new CloseAgentConnection("REPLACED", "Another connection of the same agent replaced this one"));
        Attach(command.Connection, channel: true);
        _buffered = command.Buffered;
        _dropped = command.Dropped;
        _stored.Clear();
        foreach (var stored in command.Stored)
            Remember(stored);
        var requester = Sender;
        Persist(requester, decision.Events, () => requester.Tell(new AgentReply(View(), null, null)));
    }

    /// <summary>
    /// Whether an admitted connection may go on: an enrolled agent's connection is (re-)attached, as after this entity was
    /// started anew; one of an agent revoked or removed since is told to close.
    /// </summary>
    private bool Accepts(IActorRef connection)
    {
        if (_state.Phase != AgentPhase.Enrolled || _state.Certificate is null)
        {
            connection.Tell(new CloseAgentConnection(_state.Phase == AgentPhase.Revoked ? "AGENT_REVOKED" : "AGENT_REMOVED", $"Agent '{_state.AgentId}' may not send"));
            return false;
        }
        if (!connection.Equals(_host))
            Attach(connection, channel: true);
        return true;
    }

    /// <summary>Whether a sample with this timestamp (Unix ms) is new; remembers it.</summary>
    private bool Remember(long timestamp)
    {
        if (!_stored.Add(timestamp))
            return false;
        if (_stored.Count > MaxRememberedSamples)
            _stored.Remove(_stored.Min);
        return true;
    }

    /// <summary>Persists a decision and answers with the agent as it then stands, or answers the refusal.</summary>
    private void Decide(AgentDecision decision, Action? then = null, Func<AgentView?>? answer = null)
    {
        var requester = Sender;
        if (decision.Refused)
        {
            requester.Tell(new AgentReply(null, decision.ErrorCode, decision.Message));
            PassivateIfUnknown();
            return;
        }
        if (decision.Events.Count == 0)
        {
            requester.Tell(new AgentReply(View(), null, null));
            return;
        }
        Persist(requester, decision.Events, () =>
        {
            then?.Invoke();
            requester.Tell(new AgentReply(answer is null ? View() : answer(), null, null));
        });
    }

    /// <summary>Persists <paramref name="events"/>, tagged, applies each, and runs <paramref name="then"/> after the last.</summary>
    private void Persist(IActorRef requester, IReadOnlyList<IAgentEvent> events, Action then)
    {
        var remaining = events.Count;
        PersistAllFor(requester, events.Select(e => new Tagged(e, [Tag])), tagged =>
        {
            _state = _state.Apply((IAgentEvent)tagged.Payload);
            if (LastSequenceNr % SnapshotEvery == 0)
                SaveSnapshot(_state);
            if (--remaining == 0)
                then();
        });
    }

    /// <summary>Ends the agent's channel connection, if it has one.</summary>
    private void Disconnect(string code, string message)
    {
        if (_host is null || !_hostIsChannel)
            return;
        _host.Tell(new CloseAgentConnection(code, message));
        Context.Unwatch(_host);
        _host = null;
    }

    /// <summary>
    /// Resolves the removed agent's active alerts, found on the alert board once it holds every alert event so far:
    /// its rules may not be running now.
    /// </summary>
    private void ResolveAlerts(DateTime at)
    {
        if (_alerts is null)
            return;
        var agentId = _state.AgentId;
        var system = Context.System;
        var board = _alerts.Board;
        Find().PipeTo(Self);

        async Task<ActiveAlertsOfRemovedAgent> Find()
        {
            await AlertProjection.CatchUpAsync(system, board, CancellationToken.None);
            return new ActiveAlertsOfRemovedAgent(await board.ActiveAtAsync(null, agentId), at);
        }
    }

    /// <summary>Hands each rule its value of the sample: total CPU, memory used, and used space per mount.</summary>
    private void Evaluate(MetricsSample sample)
    {
        if (_alerts is null || _thresholds is null)
            return;
        Rule(AlertType.Cpu, null).Tell(new EvaluateRule(sample.Cpu.TotalUsage, sample.Timestamp, _thresholds.Cpu));
        if (sample.Memory.Total > 0)
            Rule(AlertType.Memory, null).Tell(new EvaluateRule(100.0 * sample.Memory.Used / sample.Memory.Total, sample.Timestamp, _thresholds.Memory));
        foreach (var mount in sample.Disk.Mounts.Where(m => m.Total > 0))
            Rule(AlertType.Disk, mount.Mountpoint).Tell(new EvaluateRule(100.0 * mount.Used / mount.Total, sample.Timestamp, _thresholds.Disk));
    }

    private IActorRef Rule(AlertType type, string? mount)
    {
        var name = AlertRuleState.RuleName(type, mount);
        var rule = Context.Child(name);
        return rule.IsNobody()
            ? Context.ActorOf(AlertRuleActor.PropsFor(_state.AgentId, type, mount, _alerts!.Settings, _alerts.SnapshotEvery, _alerts.Listener), name)
            : rule;
    }

    private void Attach(IActorRef host, bool channel)
    {
        if (_host is not null)
            Context.Unwatch(_host);
        _host = host;
        _hostIsChannel = channel;
        Context.Watch(host);
    }

    private void ForwardToHost(object command)
    {
        var known = _state.IsKnown(DateTime.UtcNow);
        if (known && _host is not null)
            _host.Forward(command);
        else
            Sender.Tell(new AgentUnavailable(_state.AgentId, known));
        PassivateIfUnknown();
    }

    private AgentView? View()
    {
        if (!_state.IsKnown(DateTime.UtcNow))
            return null;
        var certificate = _state.Certificate is { } c ? new AgentCertificateView(c.Serial, c.ExpiresAt) : null;
        return new AgentView(
            _state.AgentId, _state.Name, _state.Hostname, _state.Status(_host is not null), _state.Architecture, _state.Os,
            _latest.Sample?.Timestamp, _state.RegisteredAt, _buffered, _dropped, _state.Version, certificate);
    }

    /// <summary>An id nobody registered must not keep an entity alive; one a host has just linked to is being registered.</summary>
    private void PassivateIfUnknown()
    {
        if (!_state.IsKnown(DateTime.UtcNow) && _host is null)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    /// <summary>The active alerts of an agent just removed, to resolve.</summary>
    private sealed record ActiveAlertsOfRemovedAgent(IReadOnlyList<ActiveAlert> Alerts, DateTime At);
}

/// <summary>Routes every <see cref="IWithAgentId"/> message to its agent's entity.</summary>
public sealed class AgentMessageExtractor() : HashCodeMessageExtractor(MaxShards)
{
    public const int MaxShards = 50;

    public override string? EntityId(object message) => (message as IWithAgentId)?.AgentId;
}

/// <summary>Marker for resolving the agents shard region through <c>IRequiredActor</c>.</summary>
public sealed class AgentRegion;

public static class AgentHosting
{
    /// <summary>
    /// Starts the agents shard region on server nodes, each agent running its alert rules against the thresholds
    /// singleton and enrolling with <paramref name="authority"/>, the pending queue capped at <c>Tyto:Agents:MaxPending</c>
    /// (as the agent directory counts it). Hands each agent the samples this node receives for it; that feed never
    /// backpressures, so it also keeps the hub flowing when no client is attached.
    /// </summary>
    public static AkkaConfigurationBuilder AddAgentActors(this AkkaConfigurationBuilder builder, string role, TytoOptions options, CertificateAuthority authority) =>
        builder
            .WithShardRegion<AgentRegion>(
                "agents",
                (system, registry, resolver) =>
                {
                    // The hub is made with the region, not with the first agent: one made during shutdown would miss its close.
                    var publisher = AlertsHub.Get(system).Publisher;
                    var directory = AgentDirectory.Get(system);
                    var enrollment = new AgentEnrollment(authority.SignAgent, now => directory.PendingCount(now) >= options.Agents.MaxPending);
                    var alerts = options.Alerts;
                    var board = resolver.GetService<AlertBoard>();
                    return agentId =>
                    {
                        var rules = new AlertRules(
                            registry.Get<AlertConfigSingleton>(), new AlertRuleSettings(alerts.For, alerts.Hysteresis), alerts.SnapshotEvery, publisher, board);
                        return Props.Create(() => new AgentActor(agentId, rules, enrollment));
                    };
                },
                new AgentMessageExtractor(),
                // A known agent's entity holds its host link: it must not stop for being idle (a refresh interval above the idle
                // timeout left the local host offline). Unknown ids passivate at once (PassivateIfUnknown).
                new ShardOptions { Role = role, RememberEntities = false, StateStoreMode = StateStoreMode.DData, ShouldPassivateIdleEntities = false })
            .AddStartup((system, registry) =>
            {
                var region = registry.Get<AgentRegion>();
                MetricsHub.Get(system).Received.RunWith(
                    Sink.ForEach<MetricsSample>(sample => region.Tell(new RecordSample(sample.AgentId, sample))),
                    system.Materializer());
            });
}
