namespace Tyto.Collection.Logs;

/// <summary>Where a log line came from: the journal, a watched file, or a container.</summary>
public enum LogSourceKind
{
    Journal,
    File,
    Docker,
}

/// <summary>Severity of a log line, as syslog names it (most severe first), <c>error</c> and <c>warning</c> spelled out.</summary>
public enum LogSeverity
{
    Emerg,
    Alert,
    Crit,
    Error,
    Warning,
    Notice,
    Info,
    Debug,
}

/// <summary>
/// One line read by a log source on some host. The host's agent id is added where entries leave the host (the agent's
/// channel, the server's log writer); sources only know what they read.
/// </summary>
/// <param name="Timestamp">When the line was written (UTC), from the source where it says so, else when it was read.</param>
/// <param name="Source">Which kind of source read it.</param>
/// <param name="SourceName">The unit or identifier (journal), the path (file) or the container name (docker).</param>
/// <param name="Level">Its severity; <see cref="LogSeverity.Info"/> where the line does not say.</param>
/// <param name="Message">The line without its trailing newline.</param>
/// <param name="Fields">Further fields of the source (the journal's <c>_PID</c> as <c>pid</c>, …); empty when none.</param>
public sealed record LogEntry(
    DateTime Timestamp,
    LogSourceKind Source,
    string SourceName,
    LogSeverity Level,
    string Message,
    IReadOnlyDictionary<string, string> Fields);

/// <summary>The names API.md uses for levels and source kinds, and their parsing.</summary>
public static class LogNames
{
    private static readonly Dictionary<string, LogSeverity> LevelsByName =
        Enum.GetValues<LogSeverity>().ToDictionary(Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, LogSourceKind> SourcesByName =
        Enum.GetValues<LogSourceKind>().ToDictionary(Name, StringComparer.Ordinal);

    public static string Name(LogSeverity level) => level.ToString().ToLowerInvariant();

    public static string Name(LogSourceKind source) => source.ToString().ToLowerInvariant();

    /// <summary>The level API.md names <paramref name="name"/> (<c>emerg</c> … <c>debug</c>), if it is one.</summary>
    public static bool TryParseLevel(string name, out LogSeverity level) => LevelsByName.TryGetValue(name, out level);

    /// <summary>The source kind API.md names <paramref name="name"/> (<c>journal</c>, <c>file</c>, <c>docker</c>), if it is one.</summary>
    public static bool TryParseSource(string name, out LogSourceKind source) => SourcesByName.TryGetValue(name, out source);
}
