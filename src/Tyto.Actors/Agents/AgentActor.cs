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

/// <summary>
/// One monitored host, as a cluster-sharded, event-sourced entity: its lifecycle is persisted; whether it is
/// online, its host connection and its latest sample live in memory.
/// </summary>
public sealed class AgentActor : TytoPersistentActor
{
    public const string Tag = "agent";
    private const int SnapshotEvery = 50;

    private readonly AlertRules? _alerts;
    private AgentState _state;
    private IActorRef? _monitor;
    private LatestSample _latest = new(null);
    private AlertThresholds? _thresholds;

    public AgentActor(string agentId, AlertRules? alerts = null)
    {
        _alerts = alerts;
        _state = AgentState.Unknown(agentId);
        PersistenceId = $"agent-{agentId}";

        Recover<IAgentEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer => offer.Snapshot is AgentState, offer => _state = (AgentState)offer.Snapshot);

        Command<RegisterHost>(command =>
        {
            Attach(command.Monitor);
            // The monitor registers again now and then (HostMonitorActor.RegisterEvery): a registration the journal refused stops
            // this actor, is reported as a store failure, and succeeds on a later try.
            PersistAllFor(ActorRefs.Nobody, _state.Decide(command, DateTime.UtcNow).Select(e => new Tagged(e, [Tag])), tagged => Apply((IAgentEvent)tagged.Payload));
        });
        Command<RecordSample>(record =>
        {
            if (!_state.Registered)
                return;
            _latest = new LatestSample(record.Sample);
            Evaluate(record.Sample);
        });
        Command<AlertThresholds>(thresholds => _thresholds = thresholds);
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
            Sender.Tell(new AgentLookup(_state.Registered ? View() : null));
            PassivateIfUnknown();
        });
        Command<GetLatestSample>(_ =>
        {
            Sender.Tell(_state.Registered ? _latest : new LatestSample(null));
            PassivateIfUnknown();
        });
        Command<QueryProcess>(query => ForwardToHost(new GetProcessDetails(query.Pid)));
        Command<QueryProcesses>(query => ForwardToHost(query.Query));
        Command<SendProcessSignal>(command => ForwardToHost(new SignalProcess(command.Pid, command.Signal)));
        Command<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_monitor))
                _monitor = null;
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

    private void Apply(IAgentEvent @event)
    {
        _state = _state.Apply(@event);
        if (LastSequenceNr % SnapshotEvery == 0)
            SaveSnapshot(_state);
    }

    private void Attach(IActorRef monitor)
    {
        if (_monitor is not null)
            Context.Unwatch(_monitor);
        _monitor = monitor;
        Context.Watch(monitor);
    }

    private void ForwardToHost(object command)
    {
        if (_state.Registered && _monitor is not null)
            _monitor.Forward(command);
        else
            Sender.Tell(new AgentUnavailable(_state.AgentId, _state.Registered));
        PassivateIfUnknown();
    }

    private AgentView View() => new(
        _state.AgentId, _state.Name, _state.Hostname, _monitor is null ? "offline" : "online", _state.Architecture, _state.Os,
        _latest.Sample?.Timestamp, _state.RegisteredAt, 0, 0, null, null);

    /// <summary>An id nobody registered must not keep an entity alive.</summary>
    private void PassivateIfUnknown()
    {
        if (!_state.Registered)
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }
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
    /// singleton, and keeps each agent's latest sample from the metrics hub; that feed never backpressures, so it
    /// also keeps the hub flowing when no client is attached.
    /// </summary>
    public static AkkaConfigurationBuilder AddAgentActors(this AkkaConfigurationBuilder builder, string role, TytoOptions.AlertOptions alerts) =>
        builder
            .WithShardRegion<AgentRegion>(
                "agents",
                (system, registry) =>
                {
                    // The hub is made with the region, not with the first agent: one made during shutdown would miss its close.
                    var publisher = AlertsHub.Get(system).Publisher;
                    return agentId =>
                    {
                        var rules = new AlertRules(
                            registry.Get<AlertConfigSingleton>(), new AlertRuleSettings(alerts.For, alerts.Hysteresis), alerts.SnapshotEvery, publisher);
                        return Props.Create(() => new AgentActor(agentId, rules));
                    };
                },
                new AgentMessageExtractor(),
                new ShardOptions { Role = role, RememberEntities = false, StateStoreMode = StateStoreMode.DData })
            .AddStartup((system, registry) =>
            {
                var region = registry.Get<AgentRegion>();
                MetricsHub.Get(system).Samples.RunWith(
                    Sink.ForEach<MetricsSample>(sample => region.Tell(new RecordSample(sample.AgentId, sample))),
                    system.Materializer());
            });
}
