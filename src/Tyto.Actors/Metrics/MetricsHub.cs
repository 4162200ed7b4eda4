using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Metrics;

/// <summary>
/// The live stream of samples of every host this node knows: producers (samplers, agent connections) run into
/// <see cref="Ingest"/>, consumers (SSE subscribers, the history writer, agent state) attach to <see cref="Samples"/>.
/// </summary>
public sealed class MetricsHub : IExtension
{
    private const int PerProducerBuffer = 16;
    private const int BroadcastBuffer = 256;

    public MetricsHub(ActorSystem system)
    {
        (Ingest, Samples) = MergeHub.Source<MetricsSample>(PerProducerBuffer)
            .ToMaterialized(BroadcastHub.Sink<MetricsSample>(BroadcastBuffer), Keep.Both)
            .Run(system.Materializer());
    }

    public Sink<MetricsSample, NotUsed> Ingest { get; }

    /// <summary>
    /// Every sample from the moment of attaching. The hub moves at the pace of its slowest consumer, so every
    /// consumer must keep up or drop on its own side.
    /// </summary>
    public Source<MetricsSample, NotUsed> Samples { get; }

    public static MetricsHub Get(ActorSystem system) => system.WithExtension<MetricsHub, MetricsHubProvider>();
}

public sealed class MetricsHubProvider : ExtensionIdProvider<MetricsHub>
{
    public override MetricsHub CreateExtension(ExtendedActorSystem system) => new(system);
}
