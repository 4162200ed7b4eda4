using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>A temp folder of real log files, written the way programs write them, and a tailer over it.</summary>
internal sealed class LogFiles : IDisposable
{
    public const int MaxLineBytes = 256;

    public LogFiles() => Directory = System.IO.Directory.CreateTempSubdirectory("tyto-logs-").FullName;

    public string Directory { get; }

    /// <summary>The read time every entry without a time of its own gets.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero));

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Appends <paramref name="text"/> as a program with the file open for appending would (O_APPEND).</summary>
    public void Append(string name, string text)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(PathOf(name))!);
        File.AppendAllText(PathOf(name), text, new UTF8Encoding(false));
    }

    public FileTailer Tailer(string pattern, IEnumerable<FilePosition>? restored = null) =>
        new([PathOf(pattern)], MaxLineBytes, Time, restored);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>The messages one poll (with room for all) returns.</summary>
    public static List<string> Messages(FileTailer tailer) => tailer.Poll(10_000).Entries.Select(e => e.Message).ToList();
}
