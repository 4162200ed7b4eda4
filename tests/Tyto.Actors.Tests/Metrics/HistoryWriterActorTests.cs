using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Metrics;

public sealed class HistoryWriterActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestHistory _history = new(o =>
    {
        o.BatchWindow = TimeSpan.FromMinutes(10);
        o.BatchSize = 1000;
        o.Buffer = 1000;
    });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _history.Dispose();
    }

    [Fact]
    public async Task A_flush_writes_every_buffered_sample_before_the_writer_stops()
    {
        var (queue, writer) = StartWriter(_history.Store);
        var start = _history.Now;
        for (var i = 0; i < 5; i++)
            await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), i));

        // The batch window is ten minutes: only the flush can write these now.
        Assert.IsType<Done>(await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10)));

        var raw = await _history.Store.QueryAsync("a", start, start.AddMinutes(1), Resolution.Raw);
        Assert.Equal(5, raw.Count);
    }

    [Fact]
    public async Task A_receipt_completes_once_its_sample_is_stored_and_not_before()
    {
        var (queue, writer) = StartWriter(_history.Store);
        var receipts = HistoryReceipts.Get(Sys);
        var start = _history.Now;
        var stored = receipts.WhenStored("a", start);
        var again = receipts.WhenStored("a", start);
        await queue.OfferAsync(TestHistory.Point("a", start, 1));

        // The batch window is ten minutes: the sample waits in the writer, unstored, until the flush.
        Assert.False(stored.IsCompleted);
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        await stored.WaitAsync(TimeSpan.FromSeconds(10));
        await again.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await _history.Store.QueryAsync("a", start, start.AddSeconds(1), Resolution.Raw));
    }

    [Fact]
    public async Task A_new_writer_resumes_the_bucket_still_filling_from_raw_points()
    {
        var start = _history.Now;
        var (queue, writer) = StartWriter(_history.Store);
        for (var i = 0; i < 3; i++)
            await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 10));
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        var (nextQueue, next) = StartWriter(_history.Store);
        await AwaitAssertAsync(async () =>
            Assert.Equal(3, Assert.Single(await _history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.OneMinute)).Samples));
        for (var i = 3; i < 5; i++)
            await nextQueue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 20));
        await next.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        var minute = Assert.Single(await _history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.OneMinute));
        Assert.Equal(5, minute.Samples);
        Assert.Equal(14, minute[Series.Cpu].Avg, 9);
    }

    [Fact]
    public async Task Samples_resent_to_a_new_writer_are_stored_and_counted_once()
    {
        var start = _history.Now;
        var (queue, writer) = StartWriter(_history.Store);
        for (var i = 0; i < 3; i++)
            await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 10));
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        // An agent whose acknowledgements the previous server process never sent resends them, a backlog sample
        // twice, beside a new one.
        var (nextQueue, next) = StartWriter(_history.Store);
        foreach (var second in new[] { 1, 2, 3, 1 })
            await nextQueue.OfferAsync(TestHistory.Point("a", start.AddSeconds(second), 10));
        await next.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        var raw = await _history.Store.QueryAsync("a", start, start.AddMinutes(1), Resolution.Raw);
        Assert.Equal([.. Enumerable.Range(0, 4).Select(i => start.AddSeconds(i))], raw.Select(p => p.Timestamp));
        Assert.Equal(4, Assert.Single(await _history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.OneMinute)).Samples);
    }

    [Fact]
    public async Task A_stalled_database_is_absorbed_by_the_writer_buffer_and_nothing_is_lost()
    {
        using var history = new TestHistory(o => o.BatchWindow = TimeSpan.FromMilliseconds(100));
        var (queue, writer) = StartWriter(history.Store);
        var start = history.Now;

        await using (var blocker = new SqliteConnection(history.Database.ConnectionString))
        {
            await blocker.OpenAsync();
            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken at once and held.
            using var transaction = blocker.BeginTransaction();
            // Every offer completes while no write can happen: the writer's buffer takes them.
            for (var i = 0; i < 200; i++)
                await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), i)).WaitAsync(TimeSpan.FromSeconds(5));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            transaction.Rollback();
        }

        await AwaitAssertAsync(async () =>
            Assert.Equal(200, (await history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.Raw)).Count), TimeSpan.FromSeconds(20));
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_database_that_refuses_writes_for_minutes_costs_no_sample()
    {
        using var history = new TestHistory(o =>
        {
            o.BatchWindow = TimeSpan.FromMilliseconds(100);
            o.RetryDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromSeconds(30);
        });
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings, typeof(Warning));
        var (queue, writer) = StartWriter(history.Store);
        var start = history.Now;

        // A real refusal by SQLite itself, at once (a held lock only makes writers wait their busy timeout).
        Execute(history, "CREATE TRIGGER refuse_history BEFORE INSERT ON history_raw BEGIN SELECT RAISE(ABORT, 'history is unavailable'); END");
        for (var i = 0; i < 50; i++)
            await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), i)).WaitAsync(TimeSpan.FromSeconds(5));
        // The retry delays run on the store's clock: ten failures back off 1, 2, 4 … 30 s, well over two minutes.
        var failures = 0;
        await Poll.UntilAsync(() =>
        {
            history.Clock.Advance(TimeSpan.FromSeconds(5));
            while (warnings.HasMessages)
                failures += warnings.ReceiveOne() is Warning { Message: var message } && $"{message}".Contains("history points failed", StringComparison.Ordinal) ? 1 : 0;
            return failures >= 10;
        }, "ten writes have failed");
        Assert.True(history.Clock.GetUtcNow() - start > TimeSpan.FromMinutes(2));
        Assert.NotNull(StoreHealth.Get(Sys).FailingSince);
        Execute(history, "DROP TRIGGER refuse_history");

        await Poll.UntilAsync(async () =>
        {
            history.Clock.Advance(TimeSpan.FromSeconds(5));
            return (await history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.Raw)).Count == 50;
        }, "every sample is written");
        Assert.Null(StoreHealth.Get(Sys).FailingSince);
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_agent_that_moves_to_another_node_has_its_bucket_written_whole_once()
    {
        using var history = new TestHistory(o => o.BatchWindow = TimeSpan.FromMilliseconds(100));
        var start = history.Now;
        var (left, leftWriter) = StartWriter(history.Store);
        for (var i = 0; i < 20; i++)
            await left.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 1));
        await Poll.UntilAsync(async () => (await history.Store.QueryAsync("a", start, start.AddMinutes(1), Resolution.Raw)).Count == 20, "the first node stored its points");

        // The agent goes on on another node (a store of its own: nodes share the database, not the open buckets), which
        // rebuilds the minute from the stored points and closes it whole when the next minute starts.
        var joined = history.OtherNode();
        var (right, rightWriter) = StartWriter(joined);
        for (var i = 20; i <= 60; i++)
            await right.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 1));
        await Poll.UntilAsync(async () => (await history.OtherNode().QueryAsync("a", start, start.AddMinutes(1), Resolution.OneMinute)).Count == 1, "the second node closed the minute");

        // The first node closes its part of the minute once it has been idle for the grace period: it is left out.
        history.Clock.Advance(TimeSpan.FromMinutes(3));
        await left.OfferAsync(TestHistory.Point("other", history.Now, 1));
        await Poll.UntilAsync(async () => (await history.Store.QueryAsync("other", start, history.Now.AddSeconds(1), Resolution.Raw)).Count == 1, "the first node wrote on");
        await leftWriter.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));
        await rightWriter.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        var minute = Assert.Single(await history.OtherNode().QueryAsync("a", start, start.AddMinutes(1), Resolution.OneMinute));
        Assert.Equal(60, minute.Samples);
    }

    [Fact]
    public async Task An_agent_that_comes_back_within_the_minute_has_its_bucket_hold_what_the_other_node_stored()
    {
        using var history = new TestHistory(o => o.BatchWindow = TimeSpan.FromMilliseconds(100));
        var start = history.Now;
        var receipts = HistoryReceipts.Get(Sys);
        var (first, firstWriter) = StartWriter(history.Store);
        receipts.Connected("a");
        for (var i = 0; i < 20; i++)
            await first.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 1));
        await Poll.UntilAsync(async () => (await history.Store.QueryAsync("a", start, start.AddMinutes(1), Resolution.Raw)).Count == 20, "the first node stored its points");

        var (second, secondWriter) = StartWriter(history.OtherNode());
        receipts.Connected("a");
        for (var i = 20; i < 40; i++)
            await second.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 1));
        await Poll.UntilAsync(async () => (await history.Store.QueryAsync("a", start, start.AddMinutes(1), Resolution.Raw)).Count == 40, "the second node stored its points");

        // Back on the first node, whose bucket of the minute is still open: it closes first, when the next minute starts.
        receipts.Connected("a");
        for (var i = 40; i <= 60; i++)
            await first.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), 1));
        await Poll.UntilAsync(async () => (await history.OtherNode().QueryAsync("a", start, start.AddMinutes(1), Resolution.OneMinute)).Count == 1, "the first node closed the minute");
        history.Clock.Advance(TimeSpan.FromMinutes(3));
        await second.OfferAsync(TestHistory.Point("other", history.Now, 1));
        await firstWriter.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));
        await secondWriter.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));

        var minute = Assert.Single(await history.OtherNode().QueryAsync("a", start, start.AddMinutes(1), Resolution.OneMinute));
        Assert.Equal(60, minute.Samples);
    }

    [Fact]
    public async Task The_writer_takes_samples_from_the_hub_while_it_is_still_restoring()
    {
        using var history = new TestHistory(o => o.BatchWindow = TimeSpan.FromMilliseconds(100));
        var start = history.Now;
        // Raw points two minutes apart with no rollups yet (a crash between them): the restore has to write the
        // first minute's bucket, and cannot while the lock below is held.
        var crashed = new HistoryBatch();
        crashed.NewAgents.Add("crashed");
        crashed.Raw.AddRange([TestHistory.Point("crashed", start.AddMinutes(-10), 1), TestHistory.Point("crashed", start.AddMinutes(-8), 1)]);
        await history.Store.WriteAsync(crashed);
        var (queue, hub) = Source.Queue<RawPoint>(16, OverflowStrategy.Backpressure)
            .ToMaterialized(BroadcastHub.Sink<RawPoint>(16), Keep.Both)
            .Run(Sys.Materializer());
        // Another consumer keeps the hub flowing, as the live stream does: what the writer misses is gone.
        _ = hub.RunWith(Sink.Ignore<RawPoint>(), Sys.Materializer());

        IActorRef writer;
        await using (var blocker = new SqliteConnection(history.Database.ConnectionString))
        {
            await blocker.OpenAsync();
            using var transaction = blocker.BeginTransaction();
            writer = Sys.ActorOf(HistoryWriterActor.PropsFor(history.Store, hub));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            for (var i = 0; i < 20; i++)
            {
                await queue.OfferAsync(TestHistory.Point("a", start.AddSeconds(i), i));
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            transaction.Rollback();
        }

        await AwaitAssertAsync(async () =>
            Assert.Equal(20, (await history.Store.QueryAsync("a", start, start.AddHours(1), Resolution.Raw)).Count), TimeSpan.FromSeconds(20));
        await writer.Ask(FlushHistory.Instance, TimeSpan.FromSeconds(10));
    }

    private static void Execute(TestHistory history, string sql)
    {
        using var connection = new SqliteConnection(history.Database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Starts a writer on a queue it materializes itself, once it has restored. The queue has no buffer, so an
    /// offer completes only when the writer's own branch has taken the point.
    /// </summary>
    private (ISourceQueueWithComplete<RawPoint> Queue, IActorRef Writer) StartWriter(HistoryStore store)
    {
        var started = CreateTestProbe();
        var points = Source.Queue<RawPoint>(0, OverflowStrategy.Backpressure).MapMaterializedValue(queue =>
        {
            started.Ref.Tell(queue);
            return NotUsed.Instance;
        });
        var writer = Sys.ActorOf(HistoryWriterActor.PropsFor(store, points));
        return (started.ExpectMsg<ISourceQueueWithComplete<RawPoint>>(TimeSpan.FromSeconds(10)), writer);
    }
}
