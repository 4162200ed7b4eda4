using System.Runtime.Versioning;

namespace Tyto.Actors.Tests.Collection;

/// <summary>
/// A fake <c>nvidia-smi</c>: a shell script that prints recorded output (<c>tests/fixtures/nvidia-smi</c>) every
/// 100 ms until told to fail or hang, and notes its pid and arguments on every start.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class FakeNvidiaSmi : IDisposable
{
    private const string Script = """
        #!/bin/sh
        dir=$(dirname "$0")
        echo "$$ $*" >> "$dir/starts"
        while :; do
          if [ -e "$dir/fail" ]; then cat "$dir/fail"; exit 6; fi
          if [ -e "$dir/hang" ]; then sleep 3600; fi
          cat "$dir/output"
          sleep 0.1
        done
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-nvidia-smi-").FullName;

    public FakeNvidiaSmi() => Executable = Path.Combine(_directory, "nvidia-smi");

    /// <summary>Where the executable is, or will be once <see cref="Install"/> has run.</summary>
    public string Executable { get; }

    /// <summary>Each start of the child: its pid and arguments.</summary>
    public IReadOnlyList<string> Starts =>
        File.Exists(Path.Combine(_directory, "starts")) ? File.ReadAllLines(Path.Combine(_directory, "starts")) : [];

    /// <summary>Puts the executable in place, printing the given recorded files.</summary>
    public FakeNvidiaSmi Install(params string[] recordings)
    {
        Show(recordings);
        File.WriteAllText(Executable, Script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return this;
    }

    /// <summary>From the next loop on, prints these recorded files instead.</summary>
    public void Show(params string[] recordings) => ShowText(string.Concat(recordings.Select(Recording)));

    /// <summary>From the next loop on, prints this text (lines of recordings put together).</summary>
    public void ShowText(string output)
    {
        var staged = Path.Combine(_directory, "output.new");
        File.WriteAllText(staged, output);
        File.Move(staged, Path.Combine(_directory, "output"), overwrite: true);
    }

    /// <summary>Makes the running child print a recorded error message and exit 6, as nvidia-smi does when no GPU answers.</summary>
    public void Fail(string recording) => File.WriteAllText(Path.Combine(_directory, "fail"), Recording(recording));

    /// <summary>Makes the running child stop printing without exiting, as nvidia-smi stuck in the driver does.</summary>
    public void Hang() => File.WriteAllText(Path.Combine(_directory, "hang"), "");

    public void Recover()
    {
        File.Delete(Path.Combine(_directory, "fail"));
        File.Delete(Path.Combine(_directory, "hang"));
    }

    public static string Recording(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "nvidia-smi", name));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
