namespace Tyto.Actors.Metrics;

/// <summary>What one batch of raw points changes in the history tables, to be written in one transaction.</summary>
public sealed class HistoryBatch
{
    /// <summary>New raw points, in arrival order; repeats of an already stored sample are left out.</summary>
    public List<RawPoint> Raw { get; } = [];

    /// <summary>Agents history has never seen before.</summary>
    public List<string> NewAgents { get; } = [];

    /// <summary>Buckets that closed: complete, written once.</summary>
    public List<(Resolution Resolution, HistoryPoint Bucket)> Closed { get; } = [];

    /// <summary>Points that arrived after their bucket was closed for being idle: merged into the stored bucket.</summary>
    public List<(Resolution Resolution, HistoryPoint Bucket)> Late { get; } = [];

    /// <summary>Agents whose open buckets changed.</summary>
    public HashSet<string> Touched { get; } = [];

    public bool IsEmpty => Raw.Count == 0 && NewAgents.Count == 0 && Closed.Count == 0 && Late.Count == 0;
}

/// <summary>Where an agent's history stood when it was last written: what <see cref="RollupEngine.Restore"/> resumes from.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="LastSample">The newest stored raw point; older or equal samples are repeats.</param>
/// <param name="ClosedUntil">Per rollup resolution, the end of the newest stored bucket.</param>
/// <param name="RawSince">The stored raw points from the earliest <paramref name="ClosedUntil"/> on, oldest first.</param>
public sealed record AgentHistoryState(
    string AgentId, DateTime? LastSample, IReadOnlyDictionary<Resolution, DateTime> ClosedUntil, IReadOnlyList<RawPoint> RawSince);

/// <summary>
/// Folds raw points into 1m, 5m and 1h buckets per agent as they arrive. A bucket is written once, when its
/// agent's next sample falls in a later bucket, or when it has been idle for the grace period; a sample that
/// arrives later than that is merged into the stored bucket. Samples of one agent arrive in time order.
/// </summary>
public sealed class RollupEngine(TimeSpan idleGrace)
{
    private readonly Dictionary<string, AgentRollups> _agents = new(StringComparer.Ordinal);

    public IEnumerable<string> Agents => _agents.Keys;

    /// <summary>Resumes an agent from what is stored: the open bucket of each resolution is rebuilt from raw points.</summary>
    public HistoryBatch Restore(IEnumerable<AgentHistoryState> states, DateTime now)
    {
        var batch = new HistoryBatch();
        foreach (var state in states)
        {
            var agent = new AgentRollups { LastSample = state.LastSample };
            _agents[state.AgentId] = agent;
            foreach (var (resolution, tier) in agent.Tiers)
            {
                tier.ClosedUntil = state.ClosedUntil.GetValueOrDefault(resolution, DateTime.MinValue);
                foreach (var point in state.RawSince.Where(p => p.Timestamp >= tier.ClosedUntil))
                    tier.Add(resolution, point, batch);
            }
            batch.Touched.Add(state.AgentId);
        }
        CloseIdle(now, batch);
        return batch;
    }

    public HistoryBatch Add(IEnumerable<RawPoint> points, DateTime now)
    {
        var batch = new HistoryBatch();
        foreach (var point in points)
        {
            if (!_agents.TryGetValue(point.AgentId, out var agent))
            {
                agent = new AgentRollups();
                _agents.Add(point.AgentId, agent);
                batch.NewAgents.Add(point.AgentId);
            }
            if (point.Timestamp <= agent.LastSample)
                continue;
            agent.LastSample = point.Timestamp;
            batch.Raw.Add(point);
            batch.Touched.Add(point.AgentId);
            foreach (var (resolution, tier) in agent.Tiers)
                tier.Add(resolution, point, batch);
        }
        CloseIdle(now, batch);
        return batch;
    }

    /// <summary>The bucket still filling for an agent at a resolution, if any.</summary>
    public HistoryPoint? Open(string agentId, Resolution resolution) =>
        _agents.TryGetValue(agentId, out var agent) ? agent.Tiers.First(t => t.Resolution == resolution).Tier.Open : null;

    private void CloseIdle(DateTime now, HistoryBatch batch)
    {
        foreach (var (agentId, agent) in _agents)
        {
            foreach (var (resolution, tier) in agent.Tiers)
            {
                if (tier.Open is { } open && open.Timestamp + resolution.Width + idleGrace <= now)
                {
                    tier.Close(resolution, batch);
                    batch.Touched.Add(agentId);
                }
            }
        }
    }

    private sealed class AgentRollups
    {
        public DateTime? LastSample { get; set; }

        public (Resolution Resolution, TierRollup Tier)[] Tiers { get; } = [.. Resolution.Rollups.Select(r => (r, new TierRollup()))];
    }

    private sealed class TierRollup
    {
        public DateTime ClosedUntil { get; set; } = DateTime.MinValue;

        public HistoryPoint? Open { get; private set; }

        public void Add(Resolution resolution, RawPoint point, HistoryBatch batch)
        {
            var bucket = resolution.BucketOf(point.Timestamp);
            if (bucket < ClosedUntil)
            {
                var late = HistoryPoint.Empty(point.AgentId, bucket);
                late.Add(point);
                batch.Late.Add((resolution, late));
                return;
            }
            if (Open is not null && Open.Timestamp != bucket)
                Close(resolution, batch);
            Open ??= HistoryPoint.Empty(point.AgentId, bucket);
            Open.Add(point);
        }

        public void Close(Resolution resolution, HistoryBatch batch)
        {
            batch.Closed.Add((resolution, Open!));
            ClosedUntil = Open!.Timestamp + resolution.Width;
            Open = null;
        }
    }
}
