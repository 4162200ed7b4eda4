using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Streams.Dsl;
using Tyto.Actors.Agents;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Collection;

/// <summary>
/// Monitors one host: a <see cref="CollectorActor"/> per collector and a <see cref="SamplerActor"/>; follows the
/// collection settings and answers commands about the host's processes.
/// </summary>
public sealed class HostMonitorActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How often the host registers with its agent again: an agent entity that lost its monitor (restarted after a failed
    /// write, passivated) or whose registration the journal refused gets it back. A known agent writes nothing.
    /// </summary>
    public static readonly TimeSpan RegisterEvery = TimeSpan.FromSeconds(30);

    private readonly RegisterLocalHost _register;

    public ITimerScheduler Timers { get; set; } = null!;

    public HostMonitorActor(string agentId, Func<IReadOnlyList<ICollector>> createCollectors, Sink<MetricsSample, NotUsed> output, IActorRef settings, IActorRef agents, TimeSpan initialInterval)
    {
        // Each incarnation gets collectors of its own: stopping the children disposed the last ones (child processes, sockets).
        var collectors = createCollectors();
        var children = collectors.Select(c => Context.ActorOf(CollectorActor.PropsFor(c), c.Name)).ToList();
        var processes = collectors.OfType<ProcessCollector>().Select(c => Context.Child(c.Name)).FirstOrDefault() ?? ActorRefs.Nobody;
        var sampler = Context.ActorOf(SamplerActor.PropsFor(agentId, children, output, initialInterval), "sampler");
        Context.ActorOf(SingletonSubscription.PropsFor(settings, subscriber => new SubscribeToCollectionSettings(subscriber)), "settings");
        var system = (SystemSection)collectors.OfType<SystemCollector>().Single().Collect(DateTime.UtcNow);
        _register = new RegisterLocalHost(agentId, Self, system.Hostname, system.Architecture);
        agents.Tell(_register);

        Receive<RegisterLocalHost>(register => agents.Tell(register));
        Receive<CollectionSettings>(s =>
        {
            var change = new ChangeSampleInterval(TimeSpan.FromSeconds(s.RefreshIntervalSeconds));
            sampler.Tell(change);
            foreach (var child in children)
                child.Tell(change);
        });
        Receive<GetProcessDetails>(query => processes.Forward(query));
        Receive<ListProcesses>(query => processes.Forward(query));
        Receive<SignalProcess>(command => processes.Forward(command));
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("register", _register, RegisterEvery);

    public static Props PropsFor(string agentId, Func<IReadOnlyList<ICollector>> createCollectors, Sink<MetricsSample, NotUsed> output, IActorRef settings, IActorRef agents, TimeSpan initialInterval) =>
        Props.Create(() => new HostMonitorActor(agentId, createCollectors, output, settings, agents, initialInterval));

    /// <summary>Every collector of the host that <paramref name="options"/> describe.</summary>
    public static IReadOnlyList<ICollector> CollectorsFor(TytoOptions options, TimeProvider time)
    {
        var root = new HostRoot(options.Collection.RootPath);
        return
        [
            new SystemCollector(root),
            new CpuCollector(root),
            new MemoryCollector(root),
            new DiskCollector(root),
            new NetworkCollector(root),
            new ProcessCollector(root),
            new TemperatureCollector(root),
            new GpuCollector(root, new NvidiaSmi(options.Gpu.NvidiaSmi, TimeSpan.FromSeconds(options.Collection.Interval), time)),
            new DockerCollector(options.Docker.Socket, options.Docker.Timeout, options.Docker.Concurrency),
            new SystemdCollector(root, options.Systemd.Systemctl, options.Systemd.Refresh, time),
        ];
    }
}

/// <summary>Marker for resolving the collection settings singleton through <c>IRequiredActor</c>.</summary>
public sealed class CollectionSettingsSingleton;

/// <summary>Marker for resolving this node's own host monitor through <c>IRequiredActor</c>.</summary>
public sealed class LocalHostMonitor;

public static class CollectionHosting
{
    /// <summary>Starts the collection settings singleton and the monitor of this node's own host.</summary>
    public static AkkaConfigurationBuilder AddCollectionActors(this AkkaConfigurationBuilder builder, TytoOptions options, string role)
    {
        var interval = options.Collection.Interval;
        return builder
            .WithSingleton<CollectionSettingsSingleton>(
                "collection-settings",
                CollectionSettingsActor.SupervisedPropsFor(interval),
                new ClusterSingletonOptions { Role = role })
            .WithActors((system, registry) =>
            {
                var monitor = system.ActorOf(
                    HostMonitorActor.PropsFor(
                        options.Agent.Id,
                        () => HostMonitorActor.CollectorsFor(options, TimeProvider.System),
                        MetricsHub.Get(system).Ingest,
                        registry.Get<CollectionSettingsSingleton>(),
                        registry.Get<AgentRegion>(),
                        TimeSpan.FromSeconds(interval)),
                    "host-monitor");
                registry.Register<LocalHostMonitor>(monitor);
            });
    }
}
