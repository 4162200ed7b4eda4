using System.Globalization;

namespace Tyto.Collection;

/// <summary>The file tree a host's kernel files are read from: <c>/</c> live, a captured copy in tests.</summary>
public sealed class HostRoot(string path)
{
    public static readonly HostRoot Live = new("/");

    public string Path { get; } = path;

    /// <summary>The absolute path of a kernel file given relative to the root, such as <c>proc/stat</c>.</summary>
    public string Resolve(string relative) => System.IO.Path.Join(Path, relative);

    /// <summary>The whole text of a file, or null where it is missing or unreadable (processes vanish mid-read).</summary>
    public string? ReadText(string relative)
    {
        try
        {
            return File.ReadAllText(Resolve(relative));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The first line of a file, trimmed, or null.</summary>
    public string? ReadLine(string relative) => ReadText(relative)?.Split('\n', 2)[0].Trim();

    /// <summary>A temperature file in millidegrees (hwmon, thermal zones) as degrees Celsius to 0.1, or null.</summary>
    public double? ReadMilliCelsius(string relative) =>
        long.TryParse(ReadLine(relative), CultureInfo.InvariantCulture, out var milli) ? Math.Round(milli / 1000.0, 1) : null;

    /// <summary>Reads a small file into a caller-owned buffer, avoiding an allocation per read on hot paths.</summary>
    public int ReadInto(string relative, byte[] buffer)
    {
        try
        {
            using var handle = File.OpenHandle(Resolve(relative));
            var total = 0;
            int read;
            while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
                total += read;
            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Names of the entries of a directory, empty where it does not exist.</summary>
    public IEnumerable<string> List(string relative)
    {
        var directory = Resolve(relative);
        if (!Directory.Exists(directory))
            return [];
        try
        {
            return Directory.EnumerateFileSystemEntries(directory).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public bool Exists(string relative) => System.IO.Path.Exists(Resolve(relative));
}
