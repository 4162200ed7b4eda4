using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Alerts;

/// <summary>
/// The live stream of alert events of every node: rule actors tell <see cref="Publisher"/> each event once it is
/// persisted, <see cref="ClusterRelay"/> carries it to every node, and live clients attach to <see cref="Events"/>. It
/// pushes changes; the journal stays the record.
/// </summary>
public sealed class AlertsHub : IExtension
{
    /// <summary>The distributed pub-sub topic every node's alert events are published on.</summary>
    public const string Topic = "alerts";

    public AlertsHub(ActorSystem system)
    {
        var materializer = system.Materializer();
        var hub = new LiveHub<IAlertEvent>(system, "alerts-hub", 16, 64);
        Events = hub.Output;
        // Alerts are rare; should the relay ever lag, the oldest waiting event is dropped from the live push only.
        var (publisher, published) = Source.ActorRef<IAlertEvent>(256, OverflowStrategy.DropHead).PreMaterialize(materializer);
        Publisher = publisher;
        ClusterRelay.Connect(system, Topic, published, hub.Ingest);
        // One consumer that never lags keeps the hub draining while no client is attached.
        Events.RunWith(Sink.Ignore<IAlertEvent>(), materializer);
    }

    public IActorRef Publisher { get; }

    public Source<IAlertEvent, NotUsed> Events { get; }

    public static AlertsHub Get(ActorSystem system) => system.WithExtension<AlertsHub, AlertsHubProvider>();
}

public sealed class AlertsHubProvider : ExtensionIdProvider<AlertsHub>
{
    public override AlertsHub CreateExtension(ExtendedActorSystem system) => new(system);
}
