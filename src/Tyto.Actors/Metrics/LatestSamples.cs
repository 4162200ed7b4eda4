using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Metrics;

/// <summary>
/// The newest sample of every agent this node's metrics hub carries, for readers that want all agents at
/// once (the Prometheus scrape). Fed from the hub without ever backpressuring it.
/// </summary>
public sealed class LatestSamples : IExtension
{
    private readonly ConcurrentDictionary<string, MetricsSample> _latest = new(StringComparer.Ordinal);

    public LatestSamples(ActorSystem system) =>
        MetricsHub.Get(system).Samples.RunWith(Sink.ForEach<MetricsSample>(sample => _latest[sample.AgentId] = sample), system.Materializer());

    /// <summary>The newest sample of each agent that sent one since <paramref name="since"/>, ordered by agent.</summary>
    public IReadOnlyList<MetricsSample> Since(DateTime since) =>
        [.. _latest.Values.Where(s => s.Timestamp >= since).OrderBy(s => s.AgentId, StringComparer.Ordinal)];

    public static LatestSamples Get(ActorSystem system) => system.WithExtension<LatestSamples, LatestSamplesProvider>();
}

public sealed class LatestSamplesProvider : ExtensionIdProvider<LatestSamples>
{
    public override LatestSamples CreateExtension(ExtendedActorSystem system) => new(system);
}
