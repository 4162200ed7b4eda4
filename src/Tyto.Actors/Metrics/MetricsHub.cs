using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Tyto.Collection;

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
        var hub = new LiveHub<MetricsSample>(system, "metrics-hub", PerProducerBuffer, BroadcastBuffer);
        Ingest = hub.Ingest;
        Samples = hub.Output;
    }

    public Sink<MetricsSample, NotUsed> Ingest { get; }

    /// <summary>
    /// Every sample from the moment of attaching. The hub moves at the pace of its slowest consumer, so every
    /// consumer must keep up or drop on its own side. It completes when the node shuts down.
    /// </summary>
    public Source<MetricsSample, NotUsed> Samples { get; }

    /// <summary>
    /// Only samples newer than every earlier one of their agent: what live consumers show and alert on. An agent's
    /// backlog, sent beside its live samples after an outage, belongs in history, not on a live chart.
    /// </summary>
    public static Flow<MetricsSample, MetricsSample, NotUsed> NewestOnly() =>
        Flow.Create<MetricsSample>().StatefulSelectMany<MetricsSample, MetricsSample, MetricsSample, NotUsed>(() =>
        {
            var newest = new Dictionary<string, DateTime>(StringComparer.Ordinal);
            return sample =>
            {
                if (newest.TryGetValue(sample.AgentId, out var last) && sample.Timestamp <= last)
                    return [];
                newest[sample.AgentId] = sample.Timestamp;
                return [sample];
            };
        });

    public static MetricsHub Get(ActorSystem system) => system.WithExtension<MetricsHub, MetricsHubProvider>();
}

public sealed class MetricsHubProvider : ExtensionIdProvider<MetricsHub>
{
    public override MetricsHub CreateExtension(ExtendedActorSystem system) => new(system);
}
