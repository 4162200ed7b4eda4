using Tyto.Collection;

namespace Tyto.Agent.Tests;

/// <summary>The outbox on a real LiteDB file: order, acknowledgement, the bound, and what survives reopening.</summary>
public sealed class OutboxTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-outbox-").FullName;

    private string Path => System.IO.Path.Combine(_directory, Outbox.FileName);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Samples_come_out_oldest_first_under_growing_sequence_numbers_with_their_timestamps()
    {
        using var outbox = Outbox.Open(Path, long.MaxValue);
        var seqs = Enumerable.Range(0, 5).Select(i => outbox.Append(SampleAt(i))).ToList();

        Assert.Equal([1, 2, 3, 4, 5], seqs);
        var oldest = outbox.Oldest(3, after: 1);
        Assert.Equal([2, 3, 4], oldest.Select(s => s.Seq));
        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(3)], oldest.Select(s => s.Sample.Timestamp));
        Assert.Equal(5, outbox.Buffered);
        Assert.Equal(Start, outbox.OldestTimestamp);
    }

    [Fact]
    public void An_acknowledgement_lets_exactly_those_samples_go()
    {
        using var outbox = Outbox.Open(Path, long.MaxValue);
        for (var i = 0; i < 4; i++)
            outbox.Append(SampleAt(i));

        outbox.Acknowledge([1, 3, 42]);

        Assert.Equal([2, 4], outbox.Oldest(10).Select(s => s.Seq));
        Assert.Equal(2, outbox.Buffered);
        Assert.Null(outbox.Find(1));
        Assert.Equal(Start.AddSeconds(1), outbox.OldestTimestamp);
        outbox.Acknowledge([2, 4]);
        Assert.Equal(0, outbox.Buffered);
        Assert.Equal(0, outbox.Bytes);
        Assert.Null(outbox.OldestTimestamp);
    }

    [Fact]
    public void Reopening_keeps_what_was_not_acknowledged_and_sequence_numbers_keep_growing()
    {
        using (var outbox = Outbox.Open(Path, long.MaxValue))
        {
            for (var i = 0; i < 3; i++)
                outbox.Append(SampleAt(i));
            outbox.Acknowledge([1, 2, 3]);
            outbox.Append(SampleAt(3));
        }

        using var reopened = Outbox.Open(Path, long.MaxValue);
        Assert.Equal(1, reopened.Buffered);
        Assert.Equal(4, reopened.Oldest(10).Single().Seq);
        Assert.Equal(5, reopened.Append(SampleAt(4)));
        Assert.Equal([Start.AddSeconds(3), Start.AddSeconds(4)], reopened.Oldest(10).Select(s => s.Sample.Timestamp));
    }

    [Fact]
    public void Beyond_its_bound_the_oldest_samples_go_and_are_counted_also_across_reopening()
    {
        long size;
        using (var probe = Outbox.Open(System.IO.Path.Combine(_directory, "probe.db"), long.MaxValue))
        {
            probe.Append(SampleAt(0));
            size = probe.Bytes;
        }

        using (var outbox = Outbox.Open(Path, 3 * size))
        {
            for (var i = 0; i < 5; i++)
                outbox.Append(SampleAt(i));
            Assert.Equal([3, 4, 5], outbox.Oldest(10).Select(s => s.Seq));
            Assert.Equal(2, outbox.Dropped);
            Assert.Equal(3, outbox.Buffered);
        }

        using var reopened = Outbox.Open(Path, 3 * size);
        Assert.Equal(2, reopened.Dropped);
        reopened.Append(SampleAt(5));
        Assert.Equal(3, reopened.Dropped);
        Assert.Equal([4, 5, 6], reopened.Oldest(10).Select(s => s.Seq));
    }

    private static MetricsSample SampleAt(int second) => MetricsSample.Empty("agent-1", Start.AddSeconds(second));
}
