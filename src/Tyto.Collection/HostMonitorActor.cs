using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;

namespace Tyto.Collection;

/// <summary>
/// Monitors one host: a <see cref="CollectorActor"/> per collector and a <see cref="SamplerActor"/>; follows the
/// sample interval its settings feed gives and answers commands about the host's processes. It registers with
/// whoever represents the host to the fleet: the agent's entity on a server node, the server connection on an agent.
/// </summary>
public sealed class HostMonitorActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How often the host registers again: an agent entity that lost its monitor (restarted after a failed write,
    /// rebalanced) or whose registration the journal refused gets it back. A known agent writes nothing.
    /// </summary>
    public static readonly TimeSpan RegisterEvery = TimeSpan.FromSeconds(30);

    private readonly RegisterHost _register;

    public ITimerScheduler Timers { get; set; } = null!;

    public HostMonitorActor(string agentId, Func<IReadOnlyList<ICollector>> createCollectors, Sink<MetricsSample, NotUsed> output, Props settingsFeed, IActorRef registrar, TimeSpan initialInterval)
    {
        // Each incarnation gets collectors of its own: stopping the children disposed the last ones (child processes, sockets).
        var collectors = createCollectors();
        var children = collectors.Select(c => Context.ActorOf(CollectorActor.PropsFor(c), c.Name)).ToList();
        var processes = collectors.OfType<ProcessCollector>().Select(c => Context.Child(c.Name)).FirstOrDefault() ?? ActorRefs.Nobody;
        var sampler = Context.ActorOf(SamplerActor.PropsFor(agentId, children, output, initialInterval), "sampler");
        Context.ActorOf(settingsFeed, "settings");
        var system = (SystemSection)collectors.OfType<SystemCollector>().Single().Collect(DateTime.UtcNow);
        _register = new RegisterHost(agentId, Self, system.Hostname, system.Architecture);
        registrar.Tell(_register);

        Receive<RegisterHost>(register => registrar.Tell(register));
        Receive<ChangeSampleInterval>(change =>
        {
            sampler.Tell(change);
            foreach (var child in children)
                child.Tell(change);
        });
        Receive<GetProcessDetails>(query => processes.Forward(query));
        Receive<ListProcesses>(query => processes.Forward(query));
        Receive<SignalProcess>(command => processes.Forward(command));
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("register", _register, RegisterEvery);

    /// <summary>
    /// A monitor whose <paramref name="settingsFeed"/> child sends it a <see cref="ChangeSampleInterval"/> whenever the
    /// interval changes, and whose <paramref name="registrar"/> gets a <see cref="RegisterHost"/> at start and every <see cref="RegisterEvery"/>.
    /// </summary>
    public static Props PropsFor(string agentId, Func<IReadOnlyList<ICollector>> createCollectors, Sink<MetricsSample, NotUsed> output, Props settingsFeed, IActorRef registrar, TimeSpan initialInterval) =>
        Props.Create(() => new HostMonitorActor(agentId, createCollectors, output, settingsFeed, registrar, initialInterval));

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
