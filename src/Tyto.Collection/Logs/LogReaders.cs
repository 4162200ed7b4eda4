namespace Tyto.Collection.Logs;

/// <summary>One log source of a host, and how to open its reader after a stored position.</summary>
public sealed record LogSource(LogSourceKind Kind, Func<string?, ILogReader> Open)
{
    /// <summary>What the source's position is stored under, per host.</summary>
    public string Key => LogNames.Name(Kind);
}

/// <summary>The log sources a host reads, server node or agent alike: its journal, its containers, and the files configured.</summary>
public static class LogReaders
{
    public static IReadOnlyList<LogSource> For(TytoOptions options, TimeProvider time)
    {
        var root = new HostRoot(options.Collection.RootPath);
        var logs = options.Logs;
        var docker = options.Docker;
        List<LogSource> sources =
        [
            new(LogSourceKind.Journal, position => new JournalReader(logs.Journalctl, root, logs.MaxLineBytes, position, time)),
            new(LogSourceKind.Docker, position => new DockerLogReader(docker.Socket, docker.Timeout, docker.LogRefresh, logs.MaxLineBytes, position, time)),
        ];
        if (logs.Files.Count > 0)
            sources.Add(new(LogSourceKind.File, position => new FileTailer(logs.Files, logs.MaxLineBytes, time, FilePosition.Parse(position))));
        return sources;
    }
}
