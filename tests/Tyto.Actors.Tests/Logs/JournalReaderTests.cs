using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Tyto.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class JournalReaderTests : IDisposable
{
    private const int MaxBytes = 16 * 1024;

    private readonly FakeJournalctl _fake = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public void The_child_prints_json_of_the_fields_read_in_full_and_follows()
    {
        var fields = $"--output-fields={string.Join(',', JournalJson.OutputFields)}";

        Assert.Equal(
            ["--output=json", "--all", fields, "--follow", "--no-tail", "--merge", "--since=now", $"--root={_fake.Root.Path}", $"_MACHINE_ID={FakeJournalctl.MachineId}"],
            JournalReader.Arguments(null, _fake.Root));
        Assert.Equal(
            ["--output=json", "--all", fields, "--follow", "--no-tail", "--merge", "--after-cursor=s=1;i=2", "--root=/no/such/root"],
            JournalReader.Arguments("s=1;i=2", new HostRoot("/no/such/root")));
        Assert.Contains("MESSAGE", JournalJson.OutputFields);
        Assert.Contains("PRIORITY", JournalJson.OutputFields);
        Assert.Contains("_PID", JournalJson.OutputFields);
    }

    [Fact]
    public async Task The_first_start_follows_the_journal_from_now()
    {
        _fake.Install();
        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, null, _time);

        await StartedAsync(reader, 1);
        Assert.Equal(Expected(null), _fake.Arguments(0));
        _fake.Append(FakeJournalctl.Entry(1, "first"), FakeJournalctl.Entry(2, "second"));

        var entries = await ReadUntilAsync(reader, "second");
        Assert.Equal(["first", "second"], entries.Select(e => e.Entry.Message));
        Assert.Null(reader.Problem);
        Assert.Single(_fake.Starts);
    }

    [Fact]
    public async Task A_message_longer_than_the_longest_line_is_cut_and_marked()
    {
        _fake.Install();
        using var reader = new JournalReader(_fake.Executable, _fake.Root, 256, null, _time);
        await StartedAsync(reader, 1);

        _fake.Append(FakeJournalctl.Entry(1, new string('a', 300)), FakeJournalctl.Entry(2, "short"));

        var entries = await ReadUntilAsync(reader, "short");
        Assert.Equal([new string('a', 256), "short"], entries.Select(e => e.Entry.Message));
        Assert.Equal(["true", null], entries.Select(e => e.Entry.Fields.GetValueOrDefault("truncated")));
    }

    [Fact]
    public async Task Resuming_from_a_persisted_cursor_reads_every_later_entry_once()
    {
        _fake.Install();
        var recorded = FakeJournalctl.Recording().Select(l => JournalJson.Parse(l, MaxBytes)!.Cursor).ToList();

        var first = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, recorded[2], _time);
        await StartedAsync(first, 1);
        Assert.Equal(Expected(recorded[2]), _fake.Arguments(0));
        _fake.Append(FakeJournalctl.Entry(1, "after the recording"));
        var read = await ReadUntilAsync(first, "after the recording");
        Assert.Equal([.. recorded[3..], JournalJson.Parse(FakeJournalctl.Entry(1, ""), MaxBytes)!.Cursor], read.Select(e => e.Cursor));

        // The server stops having stored the first five of them; more is written while it is down.
        var persisted = read[4].Cursor;
        first.Dispose();
        await GoneAsync(_fake.Pid(0));
        _fake.Append(FakeJournalctl.Entry(2, "while down"), FakeJournalctl.Entry(3, "also while down"));

        using var second = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, persisted, _time);
        await StartedAsync(second, 2);
        _fake.Append(FakeJournalctl.Entry(4, "after the restart"));
        var resumed = await ReadUntilAsync(second, "after the restart");
        Assert.Equal([.. read[5..].Select(e => e.Cursor)], resumed.Take(read.Count - 5).Select(e => e.Cursor));
        Assert.Equal(["while down", "also while down", "after the restart"], resumed.Skip(read.Count - 5).Select(e => e.Entry.Message));
    }

    [Fact]
    public async Task Resuming_after_a_reboot_reads_what_was_written_before_it()
    {
        _fake.Install();
        const string nextBoot = "2b1dd4a9e4c54f16a1b9e5ae8f9a4c3d";
        _fake.Append(FakeJournalctl.Entry(1, "stored"), FakeJournalctl.Entry(2, "Reached target System Power Off."));
        _fake.Append(FakeJournalctl.Entry(3, "Linux version 6.1.0", nextBoot));

        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, JournalJson.Parse(FakeJournalctl.Entry(1, ""), MaxBytes)!.Cursor, _time);
        await StartedAsync(reader, 1);

        var read = await ReadUntilAsync(reader, "Linux version 6.1.0");
        Assert.Equal(["Reached target System Power Off.", "Linux version 6.1.0"], read.Select(e => e.Entry.Message));
    }

    [Fact]
    public async Task A_child_that_exits_is_restarted_after_the_backoff_after_the_last_entry_read()
    {
        _fake.Install();
        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, null, _time);
        await StartedAsync(reader, 1);
        _fake.Append(FakeJournalctl.Entry(1, "before"));
        var before = Assert.Single(await ReadUntilAsync(reader, "before"));

        using (var child = Process.GetProcessById(_fake.Pid(0)))
            child.Kill();
        await Poll.UntilAsync(() => reader.Read(100).Count == 0 && reader.Problem is not null, "the reader noticed the child exited");
        Assert.Equal($"{_fake.Executable} exited with code 137: no output", reader.Problem);
        _fake.Append(FakeJournalctl.Entry(2, "while it was down"));

        // Not before the first backoff has passed.
        Assert.Empty(reader.Read(100));
        Assert.Single(_fake.Starts);
        _time.Advance(ChildRestarts.FirstDelay);
        await StartedAsync(reader, 2);
        Assert.Equal(Expected(before.Cursor), _fake.Arguments(1));
        Assert.Equal(["while it was down"], (await ReadUntilAsync(reader, "while it was down")).Select(e => e.Entry.Message));
        Assert.Null(reader.Problem);
    }

    [Fact]
    public async Task A_missing_journalctl_is_reported_and_picked_up_once_installed()
    {
        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, null, _time);

        Assert.Empty(reader.Read(100));
        Assert.StartsWith($"{_fake.Executable} cannot be run: ", reader.Problem);

        _fake.Install();
        Assert.Empty(reader.Read(100));
        Assert.Empty(_fake.Starts);
        _time.Advance(ChildRestarts.FirstDelay);
        await StartedAsync(reader, 1);
        Assert.Null(reader.Problem);
    }

    [Fact]
    public async Task Without_journal_files_no_child_is_started_until_there_are()
    {
        _fake.Install();
        var root = new HostRoot(Directory.CreateTempSubdirectory("tyto-root-").FullName);
        try
        {
            Directory.CreateDirectory(root.Resolve("var/log/journal"));
            using var reader = new JournalReader(_fake.Executable, root, MaxBytes, null, _time);

            Assert.Empty(reader.Read(100));
            Assert.Equal(
                $"No systemd journal on this host: no journal files in {root.Path}/var/log/journal or {root.Path}/run/log/journal",
                reader.Problem);
            Assert.Empty(_fake.Starts);

            // journald started with volatile storage.
            Directory.CreateDirectory(root.Resolve("run/log/journal/b8231d2a01ab4165bcc1690f29a5febe"));
            File.WriteAllText(root.Resolve("run/log/journal/b8231d2a01ab4165bcc1690f29a5febe/system.journal"), "");
            _time.Advance(ChildRestarts.FirstDelay);
            await StartedAsync(reader, 1);
            Assert.Null(reader.Problem);
        }
        finally
        {
            Directory.Delete(root.Path, recursive: true);
        }
    }

    [Fact]
    public async Task Lines_that_are_no_entry_are_counted_and_skipped()
    {
        _fake.Install();
        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, null, _time);
        await StartedAsync(reader, 1);

        _fake.Append("Failed to get cursor: Cannot assign requested address", FakeJournalctl.Entry(1, "next")[..50], FakeJournalctl.Entry(2, "after them"));

        Assert.Equal(["after them"], (await ReadUntilAsync(reader, "after them")).Select(e => e.Entry.Message));
        Assert.Equal(2, reader.Malformed);
    }

    [Fact]
    public async Task A_cursor_journalctl_refuses_is_dropped_and_the_journal_followed_from_now()
    {
        _fake.Install();
        using var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, "s=gone", _time);

        await Poll.UntilAsync(() => reader.Read(100).Count == 0 && reader.Problem is not null, "the refused cursor was reported");
        Assert.Equal($"{_fake.Executable} exited with code 1: Failed to seek to cursor: Invalid argument; following from now on", reader.Problem);

        _time.Advance(ChildRestarts.FirstDelay);
        await StartedAsync(reader, 2);
        Assert.Equal(Expected(null), _fake.Arguments(1));
    }

    [Fact]
    public async Task Disposing_kills_the_child()
    {
        _fake.Install();
        var reader = new JournalReader(_fake.Executable, _fake.Root, MaxBytes, null, _time);
        await StartedAsync(reader, 1);

        reader.Dispose();
        await GoneAsync(_fake.Pid(0));
        Assert.Empty(reader.Read(100));
    }

    private string Expected(string? after) => string.Join(' ', JournalReader.Arguments(after, _fake.Root));

    /// <summary>Reads until the child has been started <paramref name="starts"/> times in all.</summary>
    private Task StartedAsync(JournalReader reader, int starts) =>
        Poll.UntilAsync(
            () =>
            {
                reader.Read(0);
                return _fake.Starts.Count >= starts;
            },
            $"journalctl was started {starts} times");

    /// <summary>
    /// Everything read until the entry with <paramref name="message"/>, which the test appended last: whatever came
    /// twice or in between came before it.
    /// </summary>
    private static async Task<List<JournalEntry>> ReadUntilAsync(JournalReader reader, string message)
    {
        var entries = new List<JournalEntry>();
        await Poll.UntilAsync(
            () =>
            {
                entries.AddRange(reader.Read(3));
                return entries.Any(e => e.Entry.Message == message);
            },
            $"the entry '{message}' was read");
        return entries;
    }

    private static Task GoneAsync(int pid) => Poll.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), $"process {pid} is gone");
}
