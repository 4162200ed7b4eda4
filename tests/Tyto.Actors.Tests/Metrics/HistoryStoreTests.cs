using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Metrics;

/// <summary>The history store's tests, run on each provider.</summary>
public abstract class HistoryStoreTests(string provider) : IDisposable
{
    private readonly TestHistory _history = new(provider: provider);

    private HistoryStore Store => _history.Store;

    public void Dispose()
    {
        _history.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Pruning_removes_what_each_resolution_keeps_no_longer_and_keeps_the_rest()
    {
        var retention = new TytoOptions.RetentionOptions();
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        var now = _history.Now;
        // For every resolution, one bucket just past its retention and one just inside it, for two agents.
        foreach (var agentId in new[] { "a", "b" })
        {
            var batch = engine.Add([TestHistory.Point(agentId, now.AddDays(-800), 1)], now);
            foreach (var (resolution, kept) in new[]
            {
                (Resolution.Raw, retention.Raw), (Resolution.OneMinute, retention.OneMinute),
                (Resolution.FiveMinutes, retention.FiveMinutes), (Resolution.OneHour, retention.OneHour),
            })
            {
                var expired = HistoryPoint.Of(TestHistory.Point(agentId, now - kept - TimeSpan.FromHours(1), 2));
                var current = HistoryPoint.Of(TestHistory.Point(agentId, now - kept + TimeSpan.FromHours(1), 3));
                if (resolution.IsRaw)
                    continue;
                batch.Closed.Add((resolution, expired));
                batch.Closed.Add((resolution, current));
            }
            batch.Raw.Add(TestHistory.Point(agentId, now - retention.Raw - TimeSpan.FromHours(1), 2));
            batch.Raw.Add(TestHistory.Point(agentId, now - retention.Raw + TimeSpan.FromHours(1), 3));
            await Store.WriteAsync(batch);
        }

        var deleted = await Store.PruneAsync();

        foreach (var agentId in new[] { "a", "b" })
        {
            var raw = await Store.QueryAsync(agentId, DateTime.UnixEpoch, now, Resolution.Raw);
            Assert.Equal([3.0], raw.Select(p => p[Series.Cpu].Avg));
            foreach (var resolution in Resolution.Rollups)
            {
                var kept = await Store.QueryAsync(agentId, DateTime.UnixEpoch, now, resolution);
                Assert.Equal([3.0], kept.Select(p => p[Series.Cpu].Avg));
            }
        }
        // Per agent: two expired raw points and one expired bucket per rollup (the 800-day-old sample's are still open).
        Assert.Equal(2 * (2 + 3), deleted);
    }

    [Fact]
    public async Task Pruning_deletes_in_small_statements_until_nothing_old_is_left()
    {
        using var history = new TestHistory(o => o.PruneBatch = 7, provider);
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        var old = history.Now.AddDays(-3);
        await history.Store.WriteAsync(engine.Add(Enumerable.Range(0, 50).Select(i => TestHistory.Point("a", old.AddSeconds(i), i)), history.Now));
        await history.Store.WriteAsync(engine.Add([], history.Now.AddMinutes(2)));

        history.Clock.Advance(TimeSpan.FromDays(1));
        await history.Store.PruneAsync();

        Assert.Empty(await history.Store.QueryAsync("a", DateTime.UnixEpoch, history.Now, Resolution.Raw));
        Assert.Single(await history.Store.QueryAsync("a", DateTime.UnixEpoch, history.Now, Resolution.OneMinute));
    }

    [Fact]
    public async Task A_query_answers_stored_buckets_in_order_then_the_one_still_filling()
    {
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        var start = TestHistory.Start;
        var points = Enumerable.Range(0, 150).Select(i => TestHistory.Point("a", start.AddSeconds(i), i % 10)).ToList();
        var batch = engine.Add(points, start.AddSeconds(150));
        await Store.WriteAsync(batch);
        Store.PublishOpen("a", Resolution.OneMinute, engine.Open("a", Resolution.OneMinute)?.Copy());

        var minutes = await Store.QueryAsync("a", start, start.AddHours(1), Resolution.OneMinute);

        Assert.Equal([start, start.AddMinutes(1), start.AddMinutes(2)], minutes.Select(m => m.Timestamp));
        Assert.Equal([60, 60, 30], minutes.Select(m => m.Samples));
        Assert.All(minutes, m => Assert.Equal((0.0, 4.5, 9.0), (m[Series.Cpu].Min, m[Series.Cpu].Avg, m[Series.Cpu].Max)));
        var raw = await Store.QueryAsync("a", start.AddSeconds(10), start.AddSeconds(20), Resolution.Raw);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => start.AddSeconds(i)), raw.Select(p => p.Timestamp));
    }

    [Fact]
    public async Task Repeated_samples_are_stored_and_counted_once()
    {
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        var point = TestHistory.Point("a", TestHistory.Start, 5);
        await Store.WriteAsync(engine.Add([point, point], TestHistory.Start));
        await Store.WriteAsync(engine.Add([point], TestHistory.Start));

        Assert.Single(await Store.QueryAsync("a", TestHistory.Start, TestHistory.Start.AddMinutes(1), Resolution.Raw));
        Assert.Equal(1, engine.Open("a", Resolution.OneMinute)!.Samples);
    }

    [Fact]
    public async Task Labelled_series_are_the_columns_of_an_export()
    {
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        var start = TestHistory.Start;
        await Store.WriteAsync(engine.Add(
        [
            TestHistory.Point("a", start, 1, ("/", 10)),
            TestHistory.Point("a", start.AddSeconds(1), 1, ("/", 11), ("/var/lib/it's \"quoted\"", 50)),
        ], start));

        var series = await Store.LabelledSeriesAsync("a", start, start.AddMinutes(1), Resolution.Raw);

        Assert.Equal(["mount:/", "mount:/var/lib/it's \"quoted\""], series.Select(s => s.Key));
    }

    [Fact]
    public async Task Auto_resolution_is_the_finest_that_holds_the_start_and_gives_at_most_a_thousand_points()
    {
        var now = _history.Now;
        var engine = new RollupEngine(TimeSpan.FromSeconds(30));
        await Store.WriteAsync(engine.Add(Enumerable.Range(0, 1200).Select(i => TestHistory.Point("a", now.AddSeconds(-1200 + i), 1)), now));

        Assert.Equal(Resolution.Raw, (await Store.PlanAsync("a", now.AddMinutes(-15), now, null)).Resolution);
        Assert.Equal(Resolution.OneMinute, (await Store.PlanAsync("a", now.AddMinutes(-30), now, null)).Resolution);
        Assert.Equal(Resolution.FiveMinutes, (await Store.PlanAsync("a", now.AddDays(-3), now, null)).Resolution);
        Assert.Equal(Resolution.OneHour, (await Store.PlanAsync("a", now.AddDays(-30), now, null)).Resolution);
        Assert.Equal(Resolution.OneHour, (await Store.PlanAsync("a", now.AddYears(-5), now.AddYears(-5).AddHours(2), null)).Resolution);

        var tooMany = await Store.PlanAsync("a", now.AddDays(-8), now, Resolution.OneMinute);
        Assert.True(tooMany.TooMany);
        Assert.Equal(Resolution.FiveMinutes, tooMany.Fits);
        var rawTooMany = await Store.PlanAsync("a", now.AddHours(-1), now, Resolution.Raw);
        Assert.False(rawTooMany.TooMany);
        Assert.Equal(1200, rawTooMany.Points);
    }
}

public sealed class HistoryStoreTestsOnSqlite() : HistoryStoreTests(TytoDatabase.Sqlite);

public sealed class HistoryStoreTestsOnPostgres() : HistoryStoreTests(TytoDatabase.Postgres);
