using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Logs;

namespace Tyto.Api;

/// <summary>A stored log entry and its <c>log</c> event, encoded once for every stream connection that sends it.</summary>
public sealed record LogFrame(StoredLogEntry Entry, SseFrame Sse);

/// <summary>
/// The frames every log stream connection filters: one stage pairs each stored entry with its <see cref="SseFrame"/>,
/// a list per transaction, and every connection attaches to its output.
/// </summary>
public sealed class LogFrames
{
    private const int BroadcastBuffer = 64;

    public LogFrames(Source<IReadOnlyList<StoredLogEntry>, NotUsed> written, IMaterializer materializer)
    {
        Frames = written
            .Select(IReadOnlyList<LogFrame> (entries) => [.. entries.Select(e => new LogFrame(e, SseFrame.Log(LogsApi.LogEntryDto.From(e))))])
            .RunWith(BroadcastHub.Sink<IReadOnlyList<LogFrame>>(BroadcastBuffer), materializer);
        // One consumer that never lags keeps the entries flowing while no client is attached.
        Frames.RunWith(Sink.Ignore<IReadOnlyList<LogFrame>>(), materializer);
    }

    /// <summary>The entries stored from the moment of attaching, with their frames; ends when the log hub does.</summary>
    public Source<IReadOnlyList<LogFrame>, NotUsed> Frames { get; }

    /// <summary>The frames of the entries <paramref name="filter"/> keeps, one by one.</summary>
    public Source<SseFrame, NotUsed> Matching(LogFilter filter) =>
        Frames.SelectMany(frames => frames.Where(f => filter.Matches(f.Entry)).Select(f => f.Sse));
}
