using Tyto.Actors.Metrics;

namespace Tyto.Actors.Tests.Metrics;

public sealed class RollupEngineTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly DateTime Start = TestHistory.Start;

    [Fact]
    public void A_bucket_is_written_when_the_next_sample_falls_past_it()
    {
        var engine = new RollupEngine(Grace);
        var first = engine.Add([TestHistory.Point("a", Start.AddSeconds(10), 1), TestHistory.Point("a", Start.AddSeconds(50), 3)], Start.AddSeconds(50));
        Assert.Empty(first.Closed);

        var next = engine.Add([TestHistory.Point("a", Start.AddSeconds(61), 5)], Start.AddSeconds(61));

        var (resolution, bucket) = Assert.Single(next.Closed);
        Assert.Equal(Resolution.OneMinute, resolution);
        Assert.Equal((Start, 2, 2.0), (bucket.Timestamp, bucket.Samples, bucket[Series.Cpu].Avg));
        Assert.Equal(Start.AddMinutes(1), engine.Open("a", Resolution.OneMinute)!.Timestamp);
        Assert.Equal(3, engine.Open("a", Resolution.FiveMinutes)!.Samples);
    }

    [Fact]
    public void A_quiet_agents_bucket_is_written_once_it_is_over_and_the_grace_has_passed()
    {
        var engine = new RollupEngine(Grace);
        engine.Add([TestHistory.Point("a", Start.AddSeconds(10), 1)], Start.AddSeconds(10));

        Assert.Empty(engine.Add([], Start.AddSeconds(60) + Grace - TimeSpan.FromSeconds(1)).Closed);
        var closed = engine.Add([], Start.AddSeconds(60) + Grace).Closed;

        Assert.Equal([Resolution.OneMinute], closed.Select(c => c.Resolution));
        Assert.Null(engine.Open("a", Resolution.OneMinute));
    }

    [Fact]
    public async Task An_agent_with_no_bucket_filling_is_forgotten_and_resumes_from_the_store_when_it_sends_again()
    {
        using var history = new TestHistory();
        var engine = new RollupEngine(Grace);
        var first = TestHistory.Point("gone", Start.AddSeconds(10), 1);
        await history.Store.WriteAsync(engine.Add([first], Start.AddSeconds(10)));
        Assert.Empty(engine.Unknown([first]));

        // Once its hour bucket is over and the grace has passed, nothing of it is held any more.
        await history.Store.WriteAsync(engine.Add([], Start.AddHours(1) + Grace));
        Assert.Equal(["gone"], engine.Unknown([first]));

        // It sends again, repeating its last sample and one for a bucket already written: restored first, neither is counted twice.
        await history.Store.WriteAsync(engine.Restore(await history.Store.LoadStatesAsync(engine.Unknown([first])), Start.AddHours(2)));
        var late = TestHistory.Point("gone", Start.AddSeconds(20), 3);
        await history.Store.WriteAsync(engine.Add([first, late], Start.AddHours(2)));

        Assert.Equal(2, (await history.Store.QueryAsync("gone", Start, Start.AddHours(1), Resolution.Raw)).Count);
        var minute = Assert.Single(await history.Store.QueryAsync("gone", Start, Start.AddHours(1), Resolution.OneMinute));
        Assert.Equal((2, 2.0), (minute.Samples, minute[Series.Cpu].Avg));
    }

    [Fact]
    public void Samples_replayed_long_after_they_were_taken_fill_their_buckets_without_late_merges()
    {
        var engine = new RollupEngine(Grace);
        var now = Start.AddHours(3);
        var batches = Enumerable.Range(0, 36)
            .Select(b => engine.Add(Enumerable.Range(0, 100).Select(i => TestHistory.Point("a", Start.AddSeconds((b * 100) + i), 1)), now.AddSeconds(b)))
            .ToList();

        Assert.All(batches, b => Assert.Empty(b.Late));
        Assert.Equal(59, batches.Sum(b => b.Closed.Count(c => c.Resolution == Resolution.OneMinute)));
        Assert.All(batches.SelectMany(b => b.Closed).Where(c => c.Resolution == Resolution.OneMinute), c => Assert.Equal(60, c.Bucket.Samples));
    }

    [Fact]
    public void A_sample_that_arrives_after_its_bucket_was_written_is_merged_into_the_stored_one()
    {
        var engine = new RollupEngine(Grace);
        engine.Add([TestHistory.Point("a", Start.AddSeconds(10), 1)], Start.AddSeconds(10));
        engine.Add([], Start.AddMinutes(5));

        var late = engine.Add([TestHistory.Point("a", Start.AddSeconds(20), 3)], Start.AddMinutes(5));

        var (resolution, bucket) = Assert.Single(late.Late);
        Assert.Equal((Resolution.OneMinute, Start, 1), (resolution, bucket.Timestamp, bucket.Samples));
        Assert.Equal(2, engine.Open("a", Resolution.FiveMinutes)!.Samples);
    }

    [Fact]
    public void A_backlog_sample_older_than_the_live_ones_is_kept_and_merged_into_its_buckets_late()
    {
        var engine = new RollupEngine(Grace);
        engine.Add([TestHistory.Point("a", Start.AddSeconds(10), 1)], Start.AddSeconds(10));
        var live = engine.Add([TestHistory.Point("a", Start.AddMinutes(3), 5)], Start.AddMinutes(3));
        Assert.Single(live.Closed, c => c.Resolution == Resolution.OneMinute);

        var backlog = engine.Add([TestHistory.Point("a", Start.AddSeconds(70), 3), TestHistory.Point("a", Start.AddMinutes(3), 5)], Start.AddMinutes(3));

        var raw = Assert.Single(backlog.Raw);
        Assert.Equal(Start.AddSeconds(70), raw.Timestamp);
        var (resolution, bucket) = Assert.Single(backlog.Late);
        Assert.Equal((Resolution.OneMinute, Start.AddMinutes(1), 1), (resolution, bucket.Timestamp, bucket.Samples));
        Assert.Equal(Start.AddMinutes(3), engine.Open("a", Resolution.OneMinute)!.Timestamp);
        Assert.Equal(3, engine.Open("a", Resolution.FiveMinutes)!.Samples);
    }
}
