using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Collection;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Agents;

/// <summary>
/// One monitored host, as a cluster-sharded, event-sourced entity: its lifecycle is persisted; whether it is
/// online, its host connection and its latest sample live in memory.
/// </summary>
public sealed class AgentActor : ReceivePersistentActor
{
    public const string Tag = "agent";
    private const int SnapshotEvery = 50;

    private AgentState _state;
    private IActorRef? _monitor;
    private LatestSample _latest = new(null);

    public AgentActor(string agentId)
    {
        _state = AgentState.Unknown(agentId);
        PersistenceId = $"agent-{agentId}";

        Recover<IAgentEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer => offer.Snapshot is AgentState, offer => _state = (AgentState)offer.Snapshot);

        Command<RegisterLocalHost>(command =>
        {
            Attach(command.Monitor);
            PersistAll(_state.Decide(command, DateTime.UtcNow).Select(e => new Tagged(e, [Tag])), tagged => Apply((IAgentEvent)tagged.Payload));
        });
        Command<RecordSample>(record =>
        {
            if (_state.Registered)
                _latest = new LatestSample(record.Sample);
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
        _latest.Sample?.Timestamp, _state.RegisteredAt);

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
    /// Starts the agents shard region on server nodes and keeps each agent's latest sample from the metrics hub;
    /// that feed never backpressures, so it also keeps the hub flowing when no client is attached.
    /// </summary>
    public static AkkaConfigurationBuilder AddAgentActors(this AkkaConfigurationBuilder builder, string role) =>
        builder
            .WithShardRegion<AgentRegion>(
                "agents",
                agentId => Props.Create(() => new AgentActor(agentId)),
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
