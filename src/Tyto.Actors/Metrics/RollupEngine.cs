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
/// <param name="LastSample">The newest stored raw point; a sample at the same time is a repeat.</param>
/// <param name="ClosedUntil">Per rollup resolution, the end of the newest stored bucket.</param>
/// <param name="MinutesSince">
/// The stored 1m buckets from the earliest end of a coarser resolution's newest bucket on, oldest first: the
/// 5m and 1h buckets still filling are rebuilt from these rather than from up to an hour of raw points.
/// </param>
/// <param name="RawSince">The stored raw points from the end of the newest 1m bucket on, oldest first.</param>
public sealed record AgentHistoryState(
    string AgentId,
    DateTime? LastSample,
    IReadOnlyDictionary<Resolution, DateTime> ClosedUntil,
    IReadOnlyList<HistoryPoint> MinutesSince,
    IReadOnlyList<RawPoint> RawSince);

/// <summary>
/// Folds raw points into 1m, 5m and 1h buckets per agent as they arrive. A bucket is written once, when its
/// agent's next sample falls in a later bucket, or when it is over and nothing has arrived for it for the
/// grace period (the agent went quiet); a sample that arrives after that is merged into the stored bucket.
/// Samples of one agent arrive in time order, possibly long after they were taken (an agent replaying its outbox).
/// An agent none of whose buckets is still filling is forgotten: what it needs when it sends again is stored, and
/// is restored first (see <see cref="Unknown"/>), so agents that are gone cost no memory.
/// </summary>
public sealed class RollupEngine(TimeSpan idleGrace)
{
    private readonly Dictionary<string, AgentRollups> _agents = new(StringComparer.Ordinal);

    /// <summary>
    /// Resumes agents from what is stored: the 1m bucket still filling is rebuilt from raw points, coarser ones
    /// from the stored 1m buckets they contain (which nest in them) plus those raw points. Each resolution takes
    /// only what lies past its own newest stored bucket, so nothing is counted twice.
    /// </summary>
    public HistoryBatch Restore(IEnumerable<AgentHistoryState> states, DateTime now)
    {
        var batch = new HistoryBatch();
        foreach (var state in states)
        {
            var agent = new AgentRollups { LastSample = state.LastSample };
            _agents[state.AgentId] = agent;
            var minutesClosedUntil = state.ClosedUntil.GetValueOrDefault(Resolution.OneMinute, DateTime.MinValue);
            foreach (var (resolution, tier) in agent.Tiers)
            {
                tier.ClosedUntil = state.ClosedUntil.GetValueOrDefault(resolution, DateTime.MinValue);
                tier.LastArrival = now;
                if (resolution != Resolution.OneMinute)
                {
                    foreach (var minute in state.MinutesSince.Where(m => m.Timestamp >= tier.ClosedUntil))
                        tier.Add(resolution, minute, batch);
                }
                foreach (var point in state.RawSince.Where(p => p.Timestamp >= tier.ClosedUntil && p.Timestamp >= minutesClosedUntil))
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
            if (point.Timestamp == agent.LastSample)
                continue;
            // An older sample is an agent's backlog, sent beside its live ones: its entity lets each timestamp through once.
            if (agent.LastSample is not { } last || point.Timestamp > last)
                agent.LastSample = point.Timestamp;
            batch.Raw.Add(point);
            batch.Touched.Add(point.AgentId);
            foreach (var (resolution, tier) in agent.Tiers)
            {
                tier.Add(resolution, point, batch);
                tier.LastArrival = now;
            }
        }
        CloseIdle(now, batch);
        ForgetIdle();
        return batch;
    }

    /// <summary>The agents of <paramref name="points"/> this engine does not hold: new ones, or forgotten ones to restore before adding their points.</summary>
    public IReadOnlyList<string> Unknown(IEnumerable<RawPoint> points) =>
        [.. points.Select(p => p.AgentId).Where(agentId => !_agents.ContainsKey(agentId)).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The points of <paramref name="points"/> not after their agent's last sample: an agent resending what a previous
    /// server process took but never acknowledged repeats samples that may be stored already.
    /// </summary>
    public IReadOnlyList<RawPoint> Behind(IEnumerable<RawPoint> points) =>
        [.. points.Where(p => _agents.TryGetValue(p.AgentId, out var agent) && agent.LastSample is { } last && p.Timestamp <= last)];

    /// <summary>
    /// Drops what the engine holds of an agent, so that its next points restore it from what is stored first. Nothing is
    /// lost: every point it took went out with its batch, and every bucket it closed.
    /// </summary>
    public void Forget(string agentId) => _agents.Remove(agentId);

    /// <summary>The bucket still filling for an agent at a resolution, if any.</summary>
    public HistoryPoint? Open(string agentId, Resolution resolution) =>
        _agents.TryGetValue(agentId, out var agent) ? agent.Tiers.First(t => t.Resolution == resolution).Tier.Open : null;

    private void CloseIdle(DateTime now, HistoryBatch batch)
    {
        foreach (var (agentId, agent) in _agents)
        {
            foreach (var (resolution, tier) in agent.Tiers)
            {
                if (tier.Open is { } open && Later(open.Timestamp + resolution.Width, tier.LastArrival) + idleGrace <= now)
                {
                    tier.Close(resolution, batch);
                    batch.Touched.Add(agentId);
                }
            }
        }
    }

    /// <summary>Forgets the agents that have no bucket filling any more: everything they leave behind is stored.</summary>
    private void ForgetIdle()
    {
        foreach (var agentId in _agents.Where(a => a.Value.Tiers.All(t => t.Tier.Open is null)).Select(a => a.Key).ToList())
            _agents.Remove(agentId);
    }

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    private sealed class AgentRollups
    {
        public DateTime? LastSample { get; set; }

        public (Resolution Resolution, TierRollup Tier)[] Tiers { get; } = [.. Resolution.Rollups.Select(r => (r, new TierRollup()))];
    }

    private sealed class TierRollup
    {
        public DateTime ClosedUntil { get; set; } = DateTime.MinValue;

        /// <summary>When a sample last arrived for this resolution (server time), which keeps a replayed bucket open.</summary>
        public DateTime LastArrival { get; set; } = DateTime.MinValue;

        public HistoryPoint? Open { get; private set; }

        public void Add(Resolution resolution, RawPoint point, HistoryBatch batch) =>
            BucketFor(resolution, point.AgentId, point.Timestamp, batch).Add(point);

        /// <summary>Folds in a stored finer bucket, which lies wholly inside one bucket of this resolution.</summary>
        public void Add(Resolution resolution, HistoryPoint finer, HistoryBatch batch) =>
            BucketFor(resolution, finer.AgentId, finer.Timestamp, batch).Merge(finer);

        /// <summary>The open bucket that holds <paramref name="time"/> (closing the previous one), or a late one to merge into the stored bucket.</summary>
        private HistoryPoint BucketFor(Resolution resolution, string agentId, DateTime time, HistoryBatch batch)
        {
            var bucket = resolution.BucketOf(time);
            if (bucket < ClosedUntil || bucket < Open?.Timestamp)
            {
                var late = HistoryPoint.Empty(agentId, bucket);
                batch.Late.Add((resolution, late));
                return late;
            }
            if (Open is not null && Open.Timestamp != bucket)
                Close(resolution, batch);
            return Open ??= HistoryPoint.Empty(agentId, bucket);
        }

        public void Close(Resolution resolution, HistoryBatch batch)
        {
            batch.Closed.Add((resolution, Open!));
            ClosedUntil = Open!.Timestamp + resolution.Width;
            Open = null;
        }
    }
}
