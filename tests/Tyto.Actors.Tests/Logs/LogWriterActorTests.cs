using Akka.Actor;
using Tyto.Actors.Logs;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class LogWriterActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestLogs _logs = new();
    private readonly LogFiles _files = new();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _logs.Dispose();
            _files.Dispose();
        }
    }

    [Fact]
    public async Task Lines_appended_to_a_watched_file_are_stored_once_across_a_restart_of_their_source()
    {
        _files.Append("app.log", "written before Tyto watched\n");
        var hub = LogHub.Get(Sys);
        Sys.ActorOf(LogWriterActor.PropsFor(_logs.Store, hub));

        var (source, reader) = await StartFileSourceAsync(hub);
        _files.Append("app.log", "one\nERROR two\n");
        await Poll.ForAsync(() => Messages(), m => m.Count == 2, "the appended lines are stored");

        await source.GracefulStop(TimeSpan.FromSeconds(10));
        Assert.True(reader.Disposed);
        _files.Append("app.log", "three, while the source was stopped\n");
        await StartFileSourceAsync(hub);
        _files.Append("app.log", "four\n");

        var stored = await Poll.ForAsync(() => Messages(), m => m.Count == 4, "the source resumes where it stopped");
        Assert.Equal(["four", "three, while the source was stopped", "ERROR two", "one"], stored);
        var page = await _logs.Store.QueryAsync(new LogQuery { Levels = new HashSet<LogSeverity> { LogSeverity.Error } });
        Assert.Equal("ERROR two", Assert.Single(page.Entries).Entry.Message);
        Assert.Equal("local", page.Entries[0].AgentId);
    }

    /// <summary>A file source of <c>local</c> whose first read has happened, so that what is appended next is new to it.</summary>
    private async Task<(IActorRef Source, ObservedReader Reader)> StartFileSourceAsync(LogHub hub)
    {
        ObservedReader? reader = null;
        var source = new LogSource(LogSourceKind.File, position => reader = new ObservedReader(_files.Tailer("*.log", FilePosition.Parse(position))));
        var actor = Sys.ActorOf(LogsHosting.SourceProps(Sys, hub, _logs.Store, "local", source).WithDispatcher("akka.actor.default-dispatcher"));
        await Poll.UntilAsync(() => reader is { Reads: > 0 }, "the source reads");
        return (actor, reader!);
    }

    private async Task<List<string>> Messages() =>
        [.. (await _logs.Store.QueryAsync(new LogQuery())).Entries.Select(e => e.Entry.Message)];

    /// <summary>A reader that counts its reads and knows whether it was disposed.</summary>
    private sealed class ObservedReader(ILogReader inner) : ILogReader
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public bool Disposed { get; private set; }

        public LogSourceKind Kind => inner.Kind;

        public string? Problem => inner.Problem;

        public LogRead Read(int max)
        {
            var read = inner.Read(max);
            Interlocked.Increment(ref _reads);
            return read;
        }

        public void Dispose()
        {
            inner.Dispose();
            Disposed = true;
        }
    }
}
