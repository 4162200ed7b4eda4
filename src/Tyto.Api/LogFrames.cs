using Akka;
using Akka.Streams.Dsl;
using Tyto.Actors.Logs;

namespace Tyto.Api;

/// <summary>
/// The <c>log</c> events of the log stream: each connection attaches to what the log writer stored and encodes only the
/// entries its filter keeps, so lines nobody watches cost nothing here, however fast they are written.
/// </summary>
public sealed class LogFrames(LogHub hub)
{
    /// <summary>The frames of the entries <paramref name="filter"/> keeps, one by one, from the moment of attaching.</summary>
    public Source<SseFrame, NotUsed> Matching(LogFilter filter) =>
        hub.Written.SelectMany(entries => entries.Where(filter.Matches)).Select(e => SseFrame.Log(LogsApi.LogEntryDto.From(e)));
}
