using CsCheck;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Tests.Metrics;

/// <summary>
/// For random sample streams written through the real store, every 1m, 5m and 1h bucket holds exactly the
/// avg, min, max and count of the raw points inside it: across bucket edges, silent agents whose buckets
/// close while idle, late samples, repeated samples and restarts that rebuild the open buckets from raw points.
/// </summary>
public sealed class RollupPropertyTests
{
    private static readonly TimeSpan IdleGrace = TimeSpan.FromSeconds(30);
    private static readonly string[] AgentIds = ["alpha", "beta"];
    private static readonly string[] Mounts = ["/", "/data"];

    /// <summary>One sample: how long after its agent's previous one, how late it arrives, and what happens after it.</summary>
    private sealed record Step(int Agent, int GapSeconds, int DelaySeconds, double[] Values, bool[] HasMount, double[] MountUsed, bool Repeat, int After)
    {
        public const int Continue = 0, EndBatch = 1, IdleTick = 2, Restart = 3;
    }

    private static readonly Gen<double> Value = Gen.Int[0, 1_000_000].Select(i => i / 100.0);

    private static readonly Gen<Step> StepGen = Gen.Select(
        Gen.Int[0, AgentIds.Length - 1],
        Gen.Frequency((8, Gen.Int[1, 20]), (2, Gen.Int[21, 400]), (1, Gen.Int[401, 5000])),
        Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[1, 120])),
        Value.Array[RawPoint.SeriesCount],
        Gen.Bool.Array[Mounts.Length],
        Value.Array[Mounts.Length],
        Gen.Frequency((12, Gen.Const(false)), (1, Gen.Const(true))),
        Gen.Frequency((6, Gen.Const(Step.Continue)), (4, Gen.Const(Step.EndBatch)), (1, Gen.Const(Step.IdleTick)), (1, Gen.Const(Step.Restart))),
        (agent, gap, delay, values, hasMount, used, repeat, after) => new Step(agent, gap, delay, values, hasMount, used, repeat, after));

    private static readonly Gen<(int Offset, Step[] Steps)> Streams = Gen.Select(Gen.Int[0, 3599], StepGen.Array[1, 160]);

    [Fact]
    public void Every_rollup_matches_the_raw_points_in_its_bucket() =>
        Streams.Sample(input => RunAsync(input.Offset, input.Steps).GetAwaiter().GetResult(), iter: 40, threads: 1);

    private static async Task RunAsync(int offset, Step[] steps)
    {
        using var history = new TestHistory(o => o.IdleGrace = IdleGrace);
        var store = history.Store;
        var engine = new RollupEngine(IdleGrace);
        await store.WriteAsync(engine.Restore(await store.LoadStatesAsync(), TestHistory.Start));

        var clocks = AgentIds.ToDictionary(a => a, _ => TestHistory.Start.AddSeconds(offset));
        var arrival = TestHistory.Start;
        var expected = new List<RawPoint>();
        var pending = new List<RawPoint>();
        foreach (var step in steps)
        {
            var agentId = AgentIds[step.Agent];
            var at = clocks[agentId] = clocks[agentId].AddSeconds(step.GapSeconds);
            arrival = Max(arrival, at.AddSeconds(step.DelaySeconds));
            var labelled = Mounts.Select((mount, i) => (mount, i)).Where(m => step.HasMount[m.i])
                .ToDictionary(m => new LabelledSeries(LabelledSeries.Mount, m.mount), m => step.MountUsed[m.i]);
            var point = new RawPoint(agentId, at, step.Values, labelled);
            expected.Add(point);
            pending.Add(point);
            if (step.Repeat)
                pending.Add(point);

            if (step.After is Step.EndBatch or Step.IdleTick or Step.Restart)
            {
                await AddAsync(store, engine, pending, arrival);
                pending.Clear();
            }
            if (step.After == Step.IdleTick)
            {
                arrival = arrival.AddSeconds(step.GapSeconds * 10);
                await store.WriteAsync(engine.Add([], arrival));
            }
            if (step.After == Step.Restart)
            {
                engine = new RollupEngine(IdleGrace);
                await store.WriteAsync(engine.Restore(await store.LoadStatesAsync(), arrival));
            }
        }
        await AddAsync(store, engine, pending, arrival);

        foreach (var agentId in AgentIds)
        {
            var raw = expected.Where(p => p.AgentId == agentId).ToList();
            var storedRaw = await store.QueryAsync(agentId, DateTime.UnixEpoch, DateTime.MaxValue.AddDays(-1), Resolution.Raw);
            Assert.Equal(raw.Select(p => p.Timestamp), storedRaw.Select(p => p.Timestamp));
            Assert.All(raw.Zip(storedRaw), pair => AssertSame(HistoryPoint.Of(pair.Item1), pair.Item2));

            foreach (var resolution in Resolution.Rollups)
            {
                var stored = await store.QueryAsync(agentId, DateTime.UnixEpoch, DateTime.MaxValue.AddDays(-1), resolution);
                var open = engine.Open(agentId, resolution);
                Assert.DoesNotContain(stored, b => b.Timestamp == open?.Timestamp);
                var buckets = stored.Concat(open is null ? [] : [open]).OrderBy(b => b.Timestamp).ToList();
                var direct = raw.GroupBy(p => resolution.BucketOf(p.Timestamp)).Select(g => Direct(agentId, g.Key, g)).ToList();
                Assert.Equal(direct.Select(b => b.Timestamp), buckets.Select(b => b.Timestamp));
                Assert.All(direct.Zip(buckets), pair => AssertSame(pair.Item1, pair.Item2));
            }
        }
    }

    /// <summary>Adds points as the history writer does: agents the engine forgot resume from the store first.</summary>
    private static async Task AddAsync(HistoryStore store, RollupEngine engine, List<RawPoint> points, DateTime arrival)
    {
        if (engine.Unknown(points) is { Count: > 0 } unknown)
            await store.WriteAsync(engine.Restore(await store.LoadStatesAsync(unknown), arrival));
        await store.WriteAsync(engine.Add(points, arrival));
    }

    /// <summary>The bucket computed in one go from its raw points, the way a reader would check it by hand.</summary>
    private static HistoryPoint Direct(string agentId, DateTime bucket, IEnumerable<RawPoint> points)
    {
        var list = points.ToList();
        var series = Enumerable.Range(0, RawPoint.SeriesCount)
            .Select(i => new Aggregate(list.Sum(p => p.Values[i]), list.Min(p => p.Values[i]), list.Max(p => p.Values[i]), list.Count))
            .ToArray();
        var labelled = list.SelectMany(p => p.Labelled).GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => new Aggregate(g.Sum(p => p.Value), g.Min(p => p.Value), g.Max(p => p.Value), g.Count()));
        return new HistoryPoint(agentId, bucket, list.Count, series, labelled);
    }

    private static void AssertSame(HistoryPoint expected, HistoryPoint actual)
    {
        Assert.Equal(expected.Samples, actual.Samples);
        for (var i = 0; i < RawPoint.SeriesCount; i++)
            AssertSame(expected.Series[i], actual.Series[i]);
        Assert.Equal(expected.Labelled.Keys.Select(k => k.Key).Order(), actual.Labelled.Keys.Select(k => k.Key).Order());
        foreach (var (series, aggregate) in expected.Labelled)
            AssertSame(aggregate, actual.Labelled[series]);
    }

    private static void AssertSame(Aggregate expected, Aggregate actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);
        Assert.Equal(expected.Avg, actual.Avg, 1e-9 * Math.Max(1, Math.Abs(expected.Avg)));
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
