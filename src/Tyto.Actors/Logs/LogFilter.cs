using Tyto.Actors.Metrics;

namespace Tyto.Actors.Logs;

/// <summary>
/// The filters of a <see cref="LogQuery"/> (its page aside) applied to entries one by one, as they arrive, with the
/// same meaning the store gives them: times to the millisecond, and full text matched on words as the index keeps them.
/// </summary>
public sealed class LogFilter
{
    private readonly LogQuery _query;
    private readonly long? _fromMs;
    private readonly long? _toMs;
    private readonly IReadOnlyList<(IReadOnlyList<string> Words, bool Prefix)> _phrases;

    /// <exception cref="LogQueryException">Its full text cannot be searched for.</exception>
    public LogFilter(LogQuery query)
    {
        _query = query;
        _fromMs = query.From is { } from ? HistoryTime.ToUnixMs(from) : null;
        _toMs = query.To is { } to ? HistoryTime.ToUnixMs(to) : null;
        _phrases = query.Text is { } text ? [.. LogSearchText.Parse(text).Select(t => (LogSearchText.Words(t.Text), t.Prefix))] : [];
    }

    public bool Matches(StoredLogEntry stored)
    {
        var entry = stored.Entry;
        if ((_query.AgentId is { } agentId && stored.AgentId != agentId) ||
            (_query.Source is { } source && entry.Source != source) ||
            (_query.SourceName is { } sourceName && entry.SourceName != sourceName) ||
            (_query.Levels is { Count: > 0 } levels && !levels.Contains(entry.Level)))
            return false;
        var ms = HistoryTime.ToUnixMs(entry.Timestamp);
        if (ms < _fromMs || ms > _toMs)
            return false;
        if (_phrases.Count == 0)
            return true;
        var words = LogSearchText.Words(entry.Message);
        return _phrases.All(phrase => Contains(words, phrase.Words, phrase.Prefix));
    }

    /// <summary>Whether <paramref name="phrase"/> occurs in <paramref name="words"/>, its last word only as a start of one when a prefix.</summary>
    private static bool Contains(IReadOnlyList<string> words, IReadOnlyList<string> phrase, bool prefix)
    {
        for (var at = 0; at + phrase.Count <= words.Count; at++)
        {
            var i = 0;
            while (i < phrase.Count && (words[at + i] == phrase[i] || (prefix && i == phrase.Count - 1 && words[at + i].StartsWith(phrase[i], StringComparison.Ordinal))))
                i++;
            if (i == phrase.Count)
                return true;
        }
        return false;
    }
}
