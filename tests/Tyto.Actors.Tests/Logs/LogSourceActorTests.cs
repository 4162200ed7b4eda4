using System.Collections.Concurrent;
using Akka.Actor;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class LogSourceActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTime At = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_source_resumes_from_the_stored_position_and_hands_over_each_batch_with_its_position()
    {
        var reader = new ListReader(["a", "b", "c"]);
        string? openedAt = "none";
        var stored = new ConcurrentQueue<LogsRead>();
        Start(LogSourceActor.PropsFor(
            new LogSource(LogSourceKind.File, position =>
            {
                openedAt = position;
                return reader.ResumingAfter(position);
            }),
            () => Task.FromResult<string?>("1"),
            read =>
            {
                stored.Enqueue(read);
                return Task.CompletedTask;
            }));

        await Poll.UntilAsync(() => stored.Count == 1, "the batch is stored");

        Assert.Equal("1", openedAt);
        var batch = Assert.Single(stored);
        Assert.Equal(LogSourceKind.File, batch.Source);
        Assert.Equal(["b", "c"], batch.Entries.Select(e => e.Message));
        Assert.Equal("3", batch.Position);
    }

    [Fact]
    public async Task The_next_batch_is_read_only_when_the_store_took_the_last_and_at_once_when_more_wait()
    {
        var reader = new ListReader([.. Enumerable.Range(0, LogSourceActor.BatchSize * 2 + 1).Select(i => $"line {i}")]);
        var stored = new ConcurrentQueue<LogsRead>();
        var release = new TaskCompletionSource();
        Start(LogSourceActor.PropsFor(
            new LogSource(LogSourceKind.Journal, _ => reader),
            () => Task.FromResult<string?>(null),
            async read =>
            {
                stored.Enqueue(read);
                await release.Task;
            }));

        await Poll.UntilAsync(() => stored.Count == 1, "the first batch is handed over");
        // The store holds the first batch: the reader is not asked again however many intervals pass.
        await Task.Delay(LogSourceActor.PollInterval * 4);
        Assert.Equal(LogSourceActor.BatchSize, reader.HandedOut);

        release.SetResult();
        await Poll.UntilAsync(() => stored.Count == 3, "the rest follows");

        Assert.Equal(reader.Lines, stored.SelectMany(b => b.Entries).Select(e => e.Message));
    }

    [Fact]
    public async Task A_position_that_moved_without_entries_is_handed_over_alone_once()
    {
        // Nothing to read, but a position: where the (empty) source was first followed from.
        var reader = new ListReader([]);
        var stored = new ConcurrentQueue<LogsRead>();
        Start(LogSourceActor.PropsFor(
            new LogSource(LogSourceKind.File, _ => reader),
            () => Task.FromResult<string?>(null),
            read =>
            {
                stored.Enqueue(read);
                return Task.CompletedTask;
            }));

        await Poll.UntilAsync(() => reader.Reads > 3, "the source is read again after the position was handed over");

        var batch = Assert.Single(stored);
        Assert.Empty(batch.Entries);
        Assert.Equal("0", batch.Position);
    }

    [Fact]
    public async Task A_position_the_store_could_not_load_is_asked_for_again()
    {
        var attempts = 0;
        var opened = new TaskCompletionSource<string?>();
        Start(LogSourceActor.PropsFor(
            new LogSource(LogSourceKind.Docker, position =>
            {
                opened.TrySetResult(position);
                return new ListReader([]);
            }),
            () => ++attempts == 1 ? Task.FromException<string?>(new IOException("database locked")) : Task.FromResult<string?>("7"),
            _ => Task.CompletedTask));

        Assert.Equal("7", await opened.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_batch_the_store_did_not_keep_is_read_again_from_the_position_it_kept()
    {
        string[] lines = [.. Enumerable.Range(0, LogSourceActor.BatchSize + 10).Select(i => $"line {i}")];
        string? kept = null;
        var calls = 0;
        var stored = new ConcurrentQueue<string>();
        Start(LogSourceActor.PropsFor(
            new LogSource(LogSourceKind.File, position => new ListReader(lines).ResumingAfter(position)),
            () => Task.FromResult(kept),
            read =>
            {
                // The second batch is refused once, as by a store that did not answer in time.
                if (++calls == 2)
                    return Task.FromException(new TimeoutException("the outbox did not answer"));
                foreach (var entry in read.Entries)
                    stored.Enqueue(entry.Message);
                kept = read.Position;
                return Task.CompletedTask;
            }));

        await Poll.UntilAsync(() => stored.Count == lines.Length, "every line is stored");

        Assert.Equal(lines, stored);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Stopping_the_source_disposes_its_reader()
    {
        var reader = new ListReader([]);
        var source = Start(LogSourceActor.PropsFor(new LogSource(LogSourceKind.File, _ => reader), () => Task.FromResult<string?>(null), _ => Task.CompletedTask));
        await Poll.UntilAsync(() => reader.Reads > 0, "the source reads");

        await source.GracefulStop(TimeSpan.FromSeconds(10));

        Assert.True(reader.Disposed);
    }

    /// <summary>The collectors' dispatcher is the host's (hocon/akka.hocon); the test system runs the source on its default one.</summary>
    private IActorRef Start(Props props) => Sys.ActorOf(props.WithDispatcher("akka.actor.default-dispatcher"));

    /// <summary>A reader over fixed lines whose position is the number of lines handed out, resuming after a given one.</summary>
    private sealed class ListReader(IReadOnlyList<string> lines) : ILogReader
    {
        private int _next = -1;

        public IReadOnlyList<string> Lines => lines;

        public int HandedOut => Math.Max(_next, 0);

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

        public LogSourceKind Kind => LogSourceKind.File;

        public string? Problem => null;

        public ListReader ResumingAfter(string? position)
        {
            _next = position is null ? 0 : int.Parse(position, System.Globalization.CultureInfo.InvariantCulture);
            return this;
        }

        public LogRead Read(int max)
        {
            Reads++;
            if (_next < 0)
                _next = 0;
            var taken = lines.Skip(_next).Take(max).Select(line => new LogEntry(At, LogSourceKind.File, "/var/log/test.log", LogSeverity.Info, line, new Dictionary<string, string>())).ToList();
            _next += taken.Count;
            return new LogRead(taken, _next.ToString(System.Globalization.CultureInfo.InvariantCulture), _next < lines.Count);
        }

        public void Dispose() => Disposed = true;
    }
}
