using Microsoft.Extensions.FileSystemGlobbing;

namespace Tyto.Collection.Logs;

/// <summary>
/// One entry of <c>Tyto:Logs:Files</c>: an absolute path, where <c>*</c> matches within a directory and <c>**</c> across
/// directories (Microsoft.Extensions.FileSystemGlobbing's syntax, matched case-sensitively).
/// </summary>
public sealed class LogFilePattern
{
    private readonly string _root;
    private readonly Matcher? _matcher;

    public LogFilePattern(string pattern)
    {
        Text = pattern;
        var segments = pattern.Split('/');
        var literal = Array.FindIndex(segments, s => s.Contains('*'));
        if (literal < 0)
        {
            _root = pattern;
            return;
        }
        // The directories before the first wildcard are where matching starts.
        _root = string.Join('/', segments[..literal]) is { Length: > 0 } root ? root : "/";
        _matcher = new Matcher(StringComparison.Ordinal);
        _matcher.AddInclude(string.Join('/', segments[literal..]));
    }

    public string Text { get; }

    /// <summary>True when the pattern names one path rather than matching many.</summary>
    public bool IsLiteral => _matcher is null;

    /// <summary>The paths the pattern names now: itself when literal, whether it exists or not; else the files that match.</summary>
    public IReadOnlyList<string> Paths() =>
        _matcher is null ? [_root] : Directory.Exists(_root) ? _matcher.GetResultsInFullPath(_root).Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>Whether the pattern names <paramref name="path"/>, whether the file is there or not.</summary>
    public bool Matches(string path) => _matcher is null ? path == _root : _matcher.Match(_root, path).HasMatches;

    /// <summary>A reason <paramref name="pattern"/> cannot be watched, or null when it can.</summary>
    public static string? Problem(string? pattern) =>
        string.IsNullOrWhiteSpace(pattern) ? "is empty"
        : !pattern.StartsWith('/') ? "is not an absolute path"
        : pattern.Split('/').Any(s => s is "." or "..") ? "has a '.' or '..' segment"
        : pattern.EndsWith('/') ? "names a directory, not files"
        : null;
}
