using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Tyto.Collection;

namespace Tyto.Actors.Metrics;

/// <summary>
/// The live streams of samples. Producers on this node (samplers, agent connections) run into <see cref="Ingest"/>;
/// what they produce comes out of <see cref="Received"/> for the consumers that must see each sample once in the
/// cluster (the history writer, agent state) and, through <see cref="ClusterRelay"/>, out of <see cref="Samples"/> on
/// every node for the live consumers (SSE subscribers, latest samples).
/// </summary>
public sealed class MetricsHub : IExtension
{
    private const int PerProducerBuffer = 16;
    private const int BroadcastBuffer = 256;

    /// <summary>The distributed pub-sub topic every node's samples are published on.</summary>
    public const string Topic = "metrics";

    public MetricsHub(ActorSystem system)
    {
        var received = new LiveHub<MetricsSample>(system, "metrics-hub", PerProducerBuffer, BroadcastBuffer);
        var live = new LiveHub<MetricsSample>(system, "live-metrics-hub", PerProducerBuffer, BroadcastBuffer);
        Ingest = received.Ingest;
        Received = received.Output;
        Samples = live.Output;
        ClusterRelay.Connect(system, Topic, Received, live.Ingest);
    }

    public Sink<MetricsSample, NotUsed> Ingest { get; }

    /// <summary>
    /// Every sample this node's producers ran in, from the moment of attaching. The hub moves at the pace of its slowest
    /// consumer, so every consumer must keep up or drop on its own side. It completes when the node shuts down.
    /// </summary>
    public Source<MetricsSample, NotUsed> Received { get; }

    /// <summary>Every sample of every node, from the moment of attaching, until the node shuts down.</summary>
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
