using Tyto.Collection;
using Tyto.Collection.Channel;
using Tyto.Collection.Logs;

namespace Tyto.Agent.Tests;

/// <summary>The outbox on a real LiteDB file: order, acknowledgement, the bound, log positions, and what survives reopening.</summary>
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
        var seqs = Enumerable.Range(0, 5).Select(i => outbox.Append(SampleAt(i)).Seq).ToList();

        var first = seqs[0];
        Assert.Equal([first, first + 1, first + 2, first + 3, first + 4], seqs);
        var oldest = outbox.Oldest(3, after: first);
        Assert.Equal([first + 1, first + 2, first + 3], oldest.Select(s => s.Seq));
        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(3)], oldest.Cast<SampleFrame>().Select(s => s.Sample.Timestamp));
        Assert.Equal(5, outbox.Buffered);
        Assert.Equal(5, outbox.SamplesTaken);
        Assert.Equal(Start, outbox.OldestTimestamp);
    }

    [Fact]
    public void A_new_outbox_numbers_above_the_last_number_of_the_one_it_replaces()
    {
        long last;
        using (var outbox = Outbox.Open(Path, long.MaxValue))
        {
            for (var i = 0; i < 100; i++)
                outbox.Append(SampleAt(i));
            last = outbox.LastSeq;
        }
        File.Delete(Path);

        using var replaced = Outbox.Open(Path, long.MaxValue);

        Assert.True(replaced.Append(SampleAt(0)).Seq > last, "an agent reinstalled with a new data dir must not reuse a number the server stored");
    }

    [Fact]
    public void An_acknowledgement_lets_exactly_those_samples_go()
    {
        using var outbox = Outbox.Open(Path, long.MaxValue);
        var seqs = Enumerable.Range(0, 4).Select(i => outbox.Append(SampleAt(i)).Seq).ToList();

        outbox.Acknowledge([seqs[0], seqs[2], 42]);

        Assert.Equal([seqs[1], seqs[3]], outbox.Oldest(10).Select(s => s.Seq));
        Assert.Equal(2, outbox.Buffered);
        Assert.Null(outbox.Find(seqs[0]));
        Assert.Equal(Start.AddSeconds(1), outbox.OldestTimestamp);
        outbox.Acknowledge([seqs[1], seqs[3]]);
        Assert.Equal(0, outbox.Buffered);
        Assert.Equal(0, outbox.Bytes);
        Assert.Null(outbox.OldestTimestamp);
    }

    [Fact]
    public void Reopening_keeps_what_was_not_acknowledged_and_sequence_numbers_keep_growing()
    {
        long kept;
        using (var outbox = Outbox.Open(Path, long.MaxValue))
        {
            var seqs = Enumerable.Range(0, 3).Select(i => outbox.Append(SampleAt(i)).Seq).ToList();
            outbox.Acknowledge(seqs);
            kept = outbox.Append(SampleAt(3)).Seq;
        }

        using var reopened = Outbox.Open(Path, long.MaxValue);
        Assert.Equal(1, reopened.Buffered);
        Assert.Equal(kept, reopened.Oldest(10).Single().Seq);
        Assert.Equal(kept + 1, reopened.Append(SampleAt(4)).Seq);
        Assert.Equal([Start.AddSeconds(3), Start.AddSeconds(4)], reopened.Oldest(10).Cast<SampleFrame>().Select(s => s.Sample.Timestamp));
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

        long first;
        using (var outbox = Outbox.Open(Path, 3 * size))
        {
            first = Enumerable.Range(0, 5).Select(i => outbox.Append(SampleAt(i)).Seq).ToList()[0];
            Assert.Equal([first + 2, first + 3, first + 4], outbox.Oldest(10).Select(s => s.Seq));
            Assert.Equal(2, outbox.Dropped);
            Assert.Equal(3, outbox.Buffered);
        }

        using var reopened = Outbox.Open(Path, 3 * size);
        Assert.Equal(2, reopened.Dropped);
        reopened.Append(SampleAt(5));
        Assert.Equal(3, reopened.Dropped);
        Assert.Equal([first + 3, first + 4, first + 5], reopened.Oldest(10).Select(s => s.Seq));
    }

    [Fact]
    public void Log_entries_wait_beside_samples_in_one_order_and_their_source_resumes_from_the_position_kept_with_them()
    {
        using (var outbox = Outbox.Open(Path, long.MaxValue))
        {
            outbox.Append(SampleAt(0));
            var logs = Assert.Single(outbox.Append("file", [EntryAt(1, "one"), EntryAt(2, "two")], "{\"at\":8}"));
            outbox.Append(SampleAt(3));
            Assert.Null(outbox.Position("journal"));

            var held = outbox.Oldest(10);
            Assert.Equal([typeof(SampleFrame), typeof(LogsFrame), typeof(SampleFrame)], held.Select(f => f.GetType()));
            Assert.Equal(held.Select(f => f.Seq).Order(), held.Select(f => f.Seq));
            var heldLogs = Assert.IsType<LogsFrame>(held[1]);
            Assert.Equal((logs.Seq, "file"), (heldLogs.Seq, heldLogs.Source));
            Assert.Equal(["one", "two"], heldLogs.Entries.Select(e => e.Message));
            Assert.Equal(3, outbox.Buffered);
            outbox.Acknowledge([logs.Seq]);
            Assert.Equal(2, outbox.Buffered);
            Assert.All(outbox.Oldest(10), f => Assert.IsType<SampleFrame>(f));
            outbox.Append("file", [EntryAt(4, "three")], null);
        }

        using var reopened = Outbox.Open(Path, long.MaxValue);
        Assert.Equal("{\"at\":8}", reopened.Position("file"));
        var kept = Assert.IsType<LogsFrame>(reopened.Oldest(10)[^1]);
        Assert.Equal(("file", "three", Start.AddSeconds(4), LogSeverity.Warning, "/var/log/app.log"),
            (kept.Source, kept.Entries[0].Message, kept.Entries[0].Timestamp, kept.Entries[0].Level, kept.Entries[0].SourceName));
        Assert.Equal("42", kept.Entries[0].Fields["pid"]);
    }

    [Fact]
    public void Many_or_long_log_entries_are_kept_in_chunks_that_fit_a_frame()
    {
        using var outbox = Outbox.Open(Path, long.MaxValue);
        var line = new string('x', 1000);
        var entries = Enumerable.Range(0, 600).Select(i => EntryAt(i, $"{i} {line}")).ToList();
        entries.Add(EntryAt(600, "\u0001" + new string('\u0002', AgentWire.MaxFrameBytes)));

        var frames = outbox.Append("docker", entries, "p");

        Assert.True(frames.Count >= 3, $"{frames.Count} chunks");
        Assert.All(frames, f => Assert.True(AgentWire.Serialize(f).Length <= AgentWire.MaxFrameBytes, $"a frame of {AgentWire.Serialize(f).Length} bytes"));
        Assert.Equal(entries.Take(600).Select(e => e.Message), frames.SelectMany(f => f.Entries).Take(600).Select(e => e.Message));
        var cut = frames[^1].Entries[^1];
        Assert.StartsWith("\u0001\u0002", cut.Message, StringComparison.Ordinal);
        Assert.Equal("true", cut.Fields["truncated"]);
        Assert.Equal(frames.Select(f => f.Seq), outbox.Oldest(100).Select(f => f.Seq));
    }

    [Fact]
    public void Beyond_its_bound_the_oldest_go_whether_samples_or_logs()
    {
        using var outbox = Outbox.Open(Path, 3000);
        var logs = outbox.Append("file", [EntryAt(0, new string('a', 1200))], null).Single();
        var sample = outbox.Append(SampleAt(1));
        outbox.Append("file", [EntryAt(2, new string('b', 1200))], null);

        Assert.Null(outbox.Find(logs.Seq));
        Assert.Equal(sample.Seq, outbox.Find(sample.Seq)?.Seq);
        Assert.Equal(1, outbox.Dropped);
    }

    private static MetricsSample SampleAt(int second) => MetricsSample.Empty("agent-1", Start.AddSeconds(second));

    private static LogEntry EntryAt(int second, string message) =>
        new(Start.AddSeconds(second), LogSourceKind.File, "/var/log/app.log", LogSeverity.Warning, message, new Dictionary<string, string> { ["pid"] = "42" });
}
