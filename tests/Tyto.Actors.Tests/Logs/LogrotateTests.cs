using System.Diagnostics;

namespace Tyto.Actors.Tests.Logs;

/// <summary>
/// Rotation done by the real logrotate (Debian's package; ./test.sh installs it) on files a program keeps writing, in
/// both of its modes: rename and create, and copytruncate.
/// </summary>
public sealed class LogrotateTests : IDisposable
{
    private readonly LogFiles _logs = new();

    public void Dispose() => _logs.Dispose();

    [SkippableFact]
    public async Task Rename_and_create_loses_no_line_the_program_writes_before_it_reopens_its_file()
    {
        var logrotate = FindLogrotate();
        using var tailer = _logs.Tailer("app.log");
        var writer = Writer();
        tailer.Poll(100);
        Write(writer, "before 1\n");
        Assert.Equal(["before 1"], LogFiles.Messages(tailer));
        Write(writer, "before 2\n");

        await RotateAsync(logrotate, "create 0640");
        Assert.Equal(["before 2"], LogFiles.Messages(tailer));
        // The program writes on into the file it has open, now renamed, until it is told to reopen.
        Write(writer, "into the renamed file\n");
        writer.Dispose();
        using var reopened = Writer();
        Write(reopened, "into the new file\n");

        Assert.True(File.Exists(_logs.PathOf("app.log.1")));
        Assert.Equal(["into the renamed file", "into the new file"], LogFiles.Messages(tailer));
        Write(reopened, "later\n");
        Assert.Equal(["later"], LogFiles.Messages(tailer));
        Assert.Empty(tailer.Problems);
    }

    [SkippableFact]
    public async Task Copytruncate_starts_the_truncated_file_over_from_its_start()
    {
        var logrotate = FindLogrotate();
        _logs.Append("app.log", "");
        using var tailer = _logs.Tailer("app.log");
        tailer.Poll(100);
        _logs.Append("app.log", "a line before the rotation\nanother one\n");
        Assert.Equal(["a line before the rotation", "another one"], LogFiles.Messages(tailer));

        await RotateAsync(logrotate, "copytruncate");
        _logs.Append("app.log", "after\n");

        Assert.Equal("a line before the rotation\nanother one\n", await File.ReadAllTextAsync(_logs.PathOf("app.log.1")));
        Assert.Equal(["after"], LogFiles.Messages(tailer));
        _logs.Append("app.log", "and on\n");
        Assert.Equal(["and on"], LogFiles.Messages(tailer));
    }

    /// <summary>TYTO_LOGROTATE when set (and then it must exist), else logrotate on the PATH or in /usr/sbin, else a skip.</summary>
    private static string FindLogrotate()
    {
        if (Environment.GetEnvironmentVariable("TYTO_LOGROTATE") is { Length: > 0 } configured)
        {
            Assert.True(File.Exists(configured), $"TYTO_LOGROTATE names {configured}, which does not exist");
            return configured;
        }
        var found = $"{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin".Split(':').Select(p => Path.Combine(p, "logrotate")).FirstOrDefault(File.Exists);
        Skip.If(found is null, "logrotate is not installed: ./test.sh installs Debian's logrotate, or name it in TYTO_LOGROTATE");
        return found;
    }

    /// <summary>A program's log file, held open for writing at its end, as a logger holds it.</summary>
    private FileStream Writer() => new(_logs.PathOf("app.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    private static void Write(FileStream writer, string text)
    {
        writer.Write(System.Text.Encoding.UTF8.GetBytes(text));
        writer.Flush();
    }

    /// <summary>Runs logrotate once, forced, on app.log with <paramref name="mode"/>, its state file in the temp folder.</summary>
    private async Task RotateAsync(string logrotate, string mode)
    {
        var config = _logs.PathOf("logrotate.conf");
        await File.WriteAllTextAsync(config, $"{_logs.PathOf("app.log")} {{\n  rotate 2\n  {mode}\n  nocompress\n  missingok\n}}\n");
        var start = new ProcessStartInfo(logrotate) { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "--force", "--state", _logs.PathOf("logrotate.state"), config } };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        Assert.True(process.ExitCode == 0, $"logrotate exited with {process.ExitCode}: {await output}{await errors}");
    }
}
