using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Logs;

/// <summary>
/// A fake <c>journalctl</c>: a shell script that prints the journal beside it (recorded <c>journalctl -o json</c>
/// lines, <c>tests/fixtures/journald</c>, and whatever a test appends) as journalctl does: from <c>--since=now</c>
/// only what is appended later, from <c>--after-cursor=</c> what follows that entry, from <c>--cursor=</c> that entry
/// and what follows, and a cursor it cannot find refused as journalctl refuses one. With <c>--follow</c> it stays
/// and prints appended lines (<c>tail -f</c>, exec'd, so the pid noted is the one to look for), of the current boot
/// (the last line's) only unless <c>--merge</c> is given, as journalctl 250 and later do. It notes its pid and
/// arguments on every start, once it has taken its starting point.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class FakeJournalctl : IDisposable
{
    private const string Script = """
        #!/bin/sh
        dir=$(dirname "$0")
        journal="$dir/journal"
        from=1
        follow=no
        merge=no
        for arg in "$@"; do
          case "$arg" in
            --follow) follow=yes ;;
            --merge) merge=yes ;;
            --since=now) from=$(($(wc -l < "$journal") + 1)) ;;
            --cursor=*|--after-cursor=*)
              at=$(grep -n -F -- "\"${arg#*=}\"" "$journal" | head -n 1 | cut -d: -f1)
              if [ -z "$at" ]; then echo "$$ $*" >> "$dir/starts"; echo "Failed to seek to cursor: Invalid argument" >&2; exit 1; fi
              case "$arg" in --after-cursor=*) from=$((at + 1)) ;; *) from=$at ;; esac ;;
          esac
        done
        echo "$$ $*" >> "$dir/starts"
        if [ $follow = no ]; then exec tail -n "+$from" "$journal"; fi
        if [ $merge = yes ]; then exec tail -n "+$from" -f "$journal"; fi
        boot=$(tail -n 1 "$journal" | sed 's/.*"_BOOT_ID" *: *"\([0-9a-f]*\)".*/\1/')
        tail -n "+$from" -f "$journal" | grep --line-buffered -F "$boot"
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-journalctl-").FullName;

    public FakeJournalctl()
    {
        Executable = Path.Combine(_directory, "journalctl");
        Root = new HostRoot(Path.Combine(_directory, "root"));
        Directory.CreateDirectory(Root.Resolve("etc"));
        File.WriteAllText(Root.Resolve("etc/machine-id"), MachineId + "\n");
        var machine = Directory.CreateDirectory(Root.Resolve($"var/log/journal/{MachineId}")).FullName;
        File.WriteAllText(Path.Combine(machine, "system.journal"), "");
    }

    /// <summary>The machine of <see cref="Root"/>: <c>uqbar</c>'s, whose recorded kernel line <see cref="Entry"/> copies.</summary>
    public const string MachineId = "b8231d2a01ab4165bcc1690f29a5febe";

    /// <summary>Where the executable is, or will be once <see cref="Install"/> has run.</summary>
    public string Executable { get; }

    /// <summary>A host root with a machine id and an (empty) persistent journal file, as a host running journald has.</summary>
    public HostRoot Root { get; }

    /// <summary>Each start of the child: its pid and arguments.</summary>
    public IReadOnlyList<string> Starts =>
        File.Exists(Path.Combine(_directory, "starts")) ? File.ReadAllLines(Path.Combine(_directory, "starts")) : [];

    /// <summary>The pid of the child's <paramref name="start"/>th start (0 is the first).</summary>
    public int Pid(int start) => int.Parse(Starts[start].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The arguments of the child's <paramref name="start"/>th start, joined by spaces.</summary>
    public string Arguments(int start) => Starts[start].Split(' ', 2)[1];

    /// <summary>Puts the executable in place, with the recorded journal in it.</summary>
    public FakeJournalctl Install()
    {
        File.WriteAllLines(Path.Combine(_directory, "journal"), Recording());
        File.WriteAllText(Executable, Script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return this;
    }

    /// <summary>Adds lines to the journal, as entries written after the recording.</summary>
    public void Append(params string[] lines) => File.AppendAllLines(Path.Combine(_directory, "journal"), lines);

    /// <summary>The recorded <c>journalctl -o json</c> lines, oldest first.</summary>
    public static IReadOnlyList<string> Recording() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "fixtures", "journald", "journal.json"));

    /// <summary>The boot of the recorded kernel line.</summary>
    public const string BootId = "fc012286cb7f4b12898f5bbbef8b2f04";

    /// <summary>
    /// A new entry after the recording: the recorded kernel line (<c>uqbar</c>) with its own cursor, time and message
    /// (and boot), as the same journal would number the entries that follow it.
    /// </summary>
    public static string Entry(int sequence, string message, string boot = BootId)
    {
        var entry = JsonNode.Parse(Recording()[4])!.AsObject();
        entry["__CURSOR"] = $"s=1b383d31994f43afac3381a6eae39a46;i={0xd987fc + sequence:x};b={boot};m=a519b3f9b;t=62748f85a9199;x={sequence:x16}";
        entry["_BOOT_ID"] = boot;
        entry["__REALTIME_TIMESTAMP"] = (1732044218077593 + sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
        entry["MESSAGE"] = message;
        return entry.ToJsonString();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
