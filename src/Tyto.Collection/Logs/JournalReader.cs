using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;

namespace Tyto.Collection.Logs;

/// <summary>
/// Follows the systemd journal through one long-running <c>journalctl --output=json --follow</c> child, run like
/// <see cref="NvidiaSmi"/>: started when first read, restarted with backoff when it exits, killed on
/// <see cref="Dispose"/>. A child starts after the cursor of the last entry read (or the persisted one it was built
/// with), so no entry comes twice and none is skipped; without one, from now (until the first entry arrives, a
/// restarted child starts from now again). Entries wait in a buffer of <see cref="Buffer"/>; while it is full the
/// child is not read, and the journal keeps what it has not printed. No journal files under the host root's
/// <c>/var/log/journal</c> or <c>/run/log/journal</c> (journalctl would wait silently) is a <see cref="Problem"/>
/// until some appear; a host root other than <c>/</c> is passed on as <c>--root</c>. Messages longer than
/// <paramref name="maxLineBytes"/> are cut and marked (<see cref="JournalJson"/>).
/// </summary>
public sealed class JournalReader(string executable, HostRoot root, int maxLineBytes, string? cursor, TimeProvider time) : ILogReader
{

    /// <summary>The most entries read from the child and not yet taken by <see cref="Read"/>.</summary>
    public const int Buffer = 10_000;


    /// <summary>Where journald keeps persistent and volatile journals, relative to the host root.</summary>
    private static readonly string[] JournalDirectories = ["var/log/journal", "run/log/journal"];

    private readonly Lock _gate = new();
    private readonly ChildRestarts _restarts = new(time);
    private readonly Channel<JournalEntry> _entries = System.Threading.Channels.Channel.CreateBounded<JournalEntry>(
        new BoundedChannelOptions(Buffer) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private Process? _child;

    /// <summary>The cursor of the newest entry put in the buffer (or handed over at construction): where a child starts.</summary>
    private string? _after = cursor;
    /// <summary>The cursor of the newest entry handed out: the position of <see cref="ILogReader.Read"/>.</summary>
    private string? _handedOut = cursor;
    private long _malformed;
    private bool _disposed;

    public LogSourceKind Kind => LogSourceKind.Journal;

    /// <summary>Why the journal is not followed right now (no journalctl, no journal, the child exited), or null while it is.</summary>
    public string? Problem { get; private set; }

    /// <summary>Lines the children printed that were no journal entry, skipped.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>
    /// Up to <paramref name="max"/> entries read since the last call, oldest first; starts the child when it is due.
    /// Persist the cursor of the last entry stored, and build the next reader with it.
    /// </summary>
    public IReadOnlyList<JournalEntry> Read(int max)
    {
        lock (_gate)
        {
            if (_disposed)
                return [];
            if (_child is null && _restarts.Due)
                Start();
        }
        var entries = new List<JournalEntry>();
        while (entries.Count < max && _entries.Reader.TryRead(out var entry))
            entries.Add(entry);
        return entries;
    }

    LogRead ILogReader.Read(int max)
    {
        var entries = Read(max);
        if (entries.Count > 0)
            _handedOut = entries[^1].Cursor;
        return new LogRead([.. entries.Select(e => e.Entry)], _handedOut, entries.Count == max);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Stop();
        }
        // A child waiting for room in the buffer gives up; what is left in it was never handed out, so never persisted.
        _entries.Writer.TryComplete();
    }

    /// <summary>
    /// What the child is run with: JSON lines of the fields <see cref="JournalJson"/> reads, in full (<c>--all</c>: no
    /// <c>null</c> for long messages), following (<c>--no-tail</c>: without it journalctl prints only 10 of the entries
    /// after a cursor before it waits for new ones), after <paramref name="after"/> or from now. <c>--merge</c> keeps
    /// journalctl 250 and later from reading the current boot only when following, which would skip what was written
    /// after the cursor before a reboot; the <c>_MACHINE_ID</c> match then keeps other machines' journals (those
    /// systemd-journal-remote receives) out, as journalctl does by default.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string? after, HostRoot root)
    {
        List<string> arguments =
        [
            "--output=json",
            "--all",
            $"--output-fields={string.Join(',', JournalJson.OutputFields)}",
            "--follow",
            "--no-tail",
            "--merge",
            after is null ? "--since=now" : $"--after-cursor={after}",
        ];
        if (root.Path != HostRoot.Live.Path)
            arguments.Add($"--root={root.Path}");
        if (root.ReadLine("etc/machine-id") is { Length: 32 } machine && machine.All(char.IsAsciiHexDigitLower))
            arguments.Add($"_MACHINE_ID={machine}");
        return arguments;
    }

    private void Start()
    {
        if (!HasJournal())
        {
            Problem = $"No systemd journal on this host: no journal files in {string.Join(" or ", JournalDirectories.Select(root.Resolve))}";
            _restarts.Wait();
            return;
        }
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Arguments(_after, root))
            info.ArgumentList.Add(argument);
        try
        {
            _child = Process.Start(info) ?? throw new Win32Exception($"{executable} did not start");
        }
        catch (Win32Exception e)
        {
            Problem = $"{executable} cannot be run: {e.Message}";
            _restarts.Wait();
            return;
        }
        _restarts.Started();
        Problem = null;
        var child = _child;
        var resumed = _after is not null;
        _ = Task.Run(() => FollowAsync(child, resumed));
    }

    /// <summary>Journal files directly in a journal directory or in one of its machine folders.</summary>
    private bool HasJournal() =>
        JournalDirectories.Any(directory => root.List(directory).Any(entry => IsJournalFile(entry) || root.List($"{directory}/{entry}").Any(IsJournalFile)));

    /// <summary>An active (<c>system.journal</c>), archived (<c>system@….journal</c>) or dirty (<c>….journal~</c>) journal file.</summary>
    private static bool IsJournalFile(string name) =>
        name.EndsWith(".journal", StringComparison.Ordinal) || name.EndsWith(".journal~", StringComparison.Ordinal);

    /// <summary>Reads the child's lines into the buffer until it exits, then schedules a restart after the last entry read.</summary>
    private async Task FollowAsync(Process child, bool resumed)
    {
        var errors = child.StandardError.ReadToEndAsync();
        var read = 0;
        try
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                if (JournalJson.Parse(line, maxLineBytes) is not { } entry)
                {
                    Interlocked.Increment(ref _malformed);
                    continue;
                }
                await _entries.Writer.WriteAsync(entry);
                read++;
                lock (_gate)
                    _after = entry.Cursor;
            }
        }
        catch (ChannelClosedException)
        {
            // Disposed while the buffer was full: the child is already killed.
        }
        var stderr = (await errors).Trim();
        await child.WaitForExitAsync();
        lock (_gate)
        {
            // A child stopped on purpose has already been let go.
            if (ReferenceEquals(child, _child))
            {
                Problem = $"{executable} exited with code {child.ExitCode}: {(stderr.Length > 0 ? stderr.Split('\n')[0] : "no output")}";
                // A cursor journalctl refuses ("Failed to seek to cursor") would be refused on every restart.
                if (resumed && read == 0 && child.ExitCode != 0 && stderr.Contains("cursor", StringComparison.OrdinalIgnoreCase))
                {
                    _after = null;
                    Problem += "; following from now on";
                }
                _child = null;
                _restarts.Exited();
            }
        }
        child.Dispose();
    }

    private void Stop()
    {
        if (_child is not { } child)
            return;
        try
        {
            child.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is AggregateException or Win32Exception or InvalidOperationException)
        {
            Problem = $"{executable} could not be stopped: {e.Message}";
        }
        _child = null;
    }
}
