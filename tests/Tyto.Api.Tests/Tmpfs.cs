using System.Diagnostics;

namespace Tyto.Api.Tests;

/// <summary>
/// A small tmpfs of its own, so a test can give the server a disk that really fills and empties. Mounting needs
/// root (CI runs as root); elsewhere the tests that use it are skipped, visibly.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private readonly string _filler;

    public Tmpfs(string size)
    {
        Path = Directory.CreateTempSubdirectory("tyto-tmpfs-").FullName;
        _filler = System.IO.Path.Combine(Path, "filler");
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Path);
    }

    public string Path { get; }

    /// <summary>Writes a file that takes every free byte of the file system.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
                file.Write(chunk);
        }
        catch (IOException)
        {
            // No space left on device: full, as meant. Smaller writes take the last pages.
            for (var size = chunk.Length / 2; size >= 512; size /= 2)
            {
                try
                {
                    while (true)
                        file.Write(chunk, 0, size);
                }
                catch (IOException)
                {
                    // Try the next, smaller size.
                }
            }
        }
    }

    /// <summary>Gives the space back.</summary>
    public void Empty() => File.Delete(_filler);

    public void Dispose()
    {
        Run("umount", "--lazy", Path);
        Directory.Delete(Path);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed: {error}");
    }
}

/// <summary>A fact that needs to mount a <see cref="Tmpfs"/>: skipped, with the reason, where the tests do not run as root.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "Mounting a tmpfs needs root";
    }
}
