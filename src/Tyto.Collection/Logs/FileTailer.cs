namespace Tyto.Collection.Logs;

/// <summary>The lines one <see cref="FileTailer.Poll"/> read, and whether more were waiting beyond its limit.</summary>
public sealed record FileLogBatch(IReadOnlyList<LogEntry> Entries, bool More);

/// <summary>
/// Follows the files <c>Tyto:Logs:Files</c> names, by polling: each <see cref="Poll"/> finds the files the patterns
/// match now and returns the complete lines appended since the last one. A file is known by its device and inode,
/// not its name, so rotation by rename and create reads the renamed file to its end and the new one from its start;
/// a file shorter than what was read (copytruncate) is read again from its start. Files there at the first poll start
/// at their end unless <paramref name="restored"/> has their position, or a pattern that names a restored file names
/// them too: those appeared while Tyto was down (a replaced path, a new day's file) and start at their beginning, as
/// files that appear later do. A pattern naming no restored file is new to the configuration: its files start at their
/// end. A file that cannot be read is listed in <see cref="Problems"/>; nothing throws. One caller at a time (the log
/// source's actor).
/// </summary>
/// <remarks>
/// A file no longer found (renamed away by rotation, deleted) is still read while the program that had it open writes
/// into it, until it has not grown for <see cref="RotateWait"/>; then its last line counts even without a newline.
/// </remarks>
public sealed class FileTailer(IEnumerable<string> patterns, int maxLineBytes, TimeProvider time, IEnumerable<FilePosition>? restored = null) : ILogReader
{
    /// <summary>How long a file no longer found is still read after it last grew: programs reopen their log within it.</summary>
    public static readonly TimeSpan RotateWait = TimeSpan.FromSeconds(5);

    private const int ChunkBytes = 64 * 1024;

    private readonly IReadOnlyList<LogFilePattern> _patterns = patterns.Select(p => new LogFilePattern(p)).ToList();
    private readonly Dictionary<FileIdentity, TailedFile> _files = [];
    private readonly byte[] _chunk = new byte[ChunkBytes];
    private Dictionary<FileIdentity, FilePosition>? _restored = (restored ?? []).DistinctBy(p => (p.Device, p.Inode)).ToDictionary(p => new FileIdentity(p.Device, p.Inode));
    private int _turn;

    /// <summary>Why some pattern or file gave nothing at the last poll: no match, missing, unreadable; empty when none.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>Where each file stands after the lines returned so far: persist it once they are safely kept.</summary>
    public IReadOnlyList<FilePosition> Positions => _files.Values.Select(f => f.Position).OrderBy(p => p.Path, StringComparer.Ordinal).ToList();

    public LogSourceKind Kind => LogSourceKind.File;

    string? ILogReader.Problem => Problems.Count == 0 ? null : string.Join("; ", Problems);

    LogRead ILogReader.Read(int max)
    {
        var batch = Poll(max);
        return new LogRead(batch.Entries, FilePosition.Format(Positions), batch.More);
    }

    /// <summary>Reads at most <paramref name="limit"/> new lines; <see cref="FileLogBatch.More"/> says to poll again at once.</summary>
    public FileLogBatch Poll(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var problems = new List<string>();
        var found = Discover(problems);
        _restored = null;
        var now = time.GetUtcNow();
        var readAt = now.UtcDateTime;
        var entries = new List<LogEntry>();
        var more = false;
        // Files no longer found (renamed away, deleted) come first, so a rotated file's last lines precede its
        // successor's; one that has not grown for RotateWait is read to its very end and let go.
        foreach (var file in _files.Values.Where(f => !found.Contains(f.Identity)).ToList())
        {
            var finished = now - file.GrewAt >= RotateWait;
            var readTo = file.ReadTo;
            if (!Read(file, limit - entries.Count, readAt, entries, problems, finished))
                more = true;
            else if (finished)
            {
                file.Dispose();
                _files.Remove(file.Identity);
            }
            if (file.ReadTo != readTo)
                file.GrewAt = now;
        }
        var current = _files.Values.Where(f => found.Contains(f.Identity)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        // Each poll starts at another file, so one long backlog does not keep the others waiting.
        var first = current.Count == 0 ? 0 : _turn++ % current.Count;
        foreach (var file in current[first..].Concat(current[..first]))
        {
            more |= !Read(file, limit - entries.Count, readAt, entries, problems, finished: false);
            file.GrewAt = now;
        }
        Problems = problems;
        return new FileLogBatch(entries, more);
    }

    public void Dispose()
    {
        foreach (var file in _files.Values)
            file.Dispose();
        _files.Clear();
    }

    /// <summary>The identities of the files the patterns match now; opens those not followed yet.</summary>
    private HashSet<FileIdentity> Discover(List<string> problems)
    {
        var found = new HashSet<FileIdentity>();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in _patterns)
        {
            IReadOnlyList<string> matches;
            try
            {
                matches = pattern.Paths();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{pattern.Text} cannot be searched: {e.Message}");
                continue;
            }
            if (matches.Count == 0)
                problems.Add($"{pattern.Text} matches no file");
            foreach (var path in matches.Where(paths.Add))
            {
                if (Find(path, pattern, problems) is { } identity)
                    found.Add(identity);
            }
        }
        return found;
    }

    /// <summary>The file at <paramref name="path"/>, followed from now on; null (and a problem) when it cannot be.</summary>
    private FileIdentity? Find(string path, LogFilePattern pattern, List<string> problems)
    {
        try
        {
            var (identity, _, regular) = FileIdentity.Of(path);
            if (!regular)
            {
                problems.Add($"{path} is not a regular file");
                return null;
            }
            if (_files.TryGetValue(identity, out var known))
            {
                known.Path = path;
                return identity;
            }
            return Open(path, pattern);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path} cannot be read: {e.Message}");
            return null;
        }
    }

    private FileIdentity Open(string path, LogFilePattern pattern)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            // The handle says which file was opened: the path may have been rotated since it was looked at.
            var (identity, size, _) = FileIdentity.Of(handle);
            if (_files.ContainsKey(identity))
            {
                handle.Dispose();
                return identity;
            }
            _files.Add(identity, new TailedFile(path, identity, handle, StartOffset(pattern, identity, size), maxLineBytes));
            return identity;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A restored file resumes (from its start if it shrank); another at the first poll starts at its start when its
    /// pattern was watched before (it names a restored file), else at its end; any later one at its start.
    /// </summary>
    private long StartOffset(LogFilePattern pattern, FileIdentity identity, long size)
    {
        if (_restored is null)
            return 0;
        if (_restored.TryGetValue(identity, out var position))
            return position.Offset <= size ? position.Offset : 0;
        return _restored.Values.Any(p => pattern.Matches(p.Path)) ? 0 : size;
    }

    private bool Read(TailedFile file, int budget, DateTime readAt, List<LogEntry> into, List<string> problems, bool finished)
    {
        if (budget <= 0)
            return false;
        try
        {
            file.RestartIfTruncated();
            return file.Read(_chunk, budget, readAt, into, finished);
        }
        catch (IOException e)
        {
            problems.Add($"{file.Path} cannot be read: {e.Message}");
            return true;
        }
    }
}
