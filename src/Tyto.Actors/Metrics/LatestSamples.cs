using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Collection;

namespace Tyto.Actors.Metrics;

/// <summary>
/// The newest sample of every agent this node's metrics hub carries, for readers that want all agents at
/// once (the Prometheus scrape). Fed from the hub without ever backpressuring it. An agent whose newest sample
/// is more than <see cref="Horizon"/> older than the newest sample of any agent is gone, and forgotten.
/// </summary>
public sealed class LatestSamples : IExtension
{
    /// <summary>How long an agent stays after its last sample.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(1);

    /// <summary>How often, in sample time, gone agents are looked for.</summary>
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, MetricsSample> _latest = new(StringComparer.Ordinal);
    private DateTime _nextSweep = DateTime.MinValue;

    public LatestSamples(ActorSystem system) =>
        MetricsHub.Get(system).Samples.RunWith(Sink.ForEach<MetricsSample>(Record), system.Materializer());

    /// <summary>The newest sample of each agent that sent one since <paramref name="since"/>, ordered by agent.</summary>
    public IReadOnlyList<MetricsSample> Since(DateTime since) =>
        [.. _latest.Values.Where(s => s.Timestamp >= since).OrderBy(s => s.AgentId, StringComparer.Ordinal)];

    public static LatestSamples Get(ActorSystem system) => system.WithExtension<LatestSamples, LatestSamplesProvider>();

    /// <summary>Keeps the sample; the hub calls this for one sample at a time.</summary>
    private void Record(MetricsSample sample)
    {
        // An agent's backlog arrives beside its live samples: an older one is history, not the host's latest state.
        if (_latest.TryGetValue(sample.AgentId, out var kept) && kept.Timestamp >= sample.Timestamp)
            return;
        _latest[sample.AgentId] = sample;
        if (sample.Timestamp < _nextSweep)
            return;
        _nextSweep = sample.Timestamp + SweepEvery;
        foreach (var gone in _latest.Values.Where(s => s.Timestamp < sample.Timestamp - Horizon))
            _latest.TryRemove(new KeyValuePair<string, MetricsSample>(gone.AgentId, gone));
    }
}

public sealed class LatestSamplesProvider : ExtensionIdProvider<LatestSamples>
{
    public override LatestSamples CreateExtension(ExtendedActorSystem system) => new(system);
}
