using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace Tyto.Web;

/// <summary>
/// The web dashboard's files, embedded in this assembly. They are served under a path holding their content
/// hash (<c>/assets/&lt;version&gt;/</c>), so a browser may keep them for good and a new build is fetched at once;
/// the page itself (<c>index.html</c>, answered for every dashboard route) names that path and is always revalidated.
/// </summary>
public sealed partial class Dashboard
{
    private const string AssetsPlaceholder = "{{assets}}";

    public Dashboard()
    {
        Files = new ManifestEmbeddedFileProvider(typeof(Dashboard).Assembly, "app");
        Version = ContentHash(Files);
        AssetsPath = $"/assets/{Version}";
        IndexHtml = Encoding.UTF8.GetBytes(ReadAll(Files, "index.html").Replace(AssetsPlaceholder, AssetsPath, StringComparison.Ordinal));
        ContentSecurityPolicy = string.Join("; ",
            "default-src 'none'",
            $"script-src 'self' {ImportMapHash(Encoding.UTF8.GetString(IndexHtml))}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");
    }

    public IFileProvider Files { get; }

    /// <summary>The first 12 hex digits of a SHA-256 over every file's path and content.</summary>
    public string Version { get; }

    /// <summary>Where the files are served: <c>/assets/&lt;version&gt;</c>.</summary>
    public string AssetsPath { get; }

    /// <summary>The page every dashboard route answers, its asset paths filled in.</summary>
    public byte[] IndexHtml { get; }

    /// <summary>
    /// Scripts only from this origin, plus the page's import map by its hash (an import map cannot be loaded from a
    /// file); no inline script or style, and no request to any other origin.
    /// </summary>
    public string ContentSecurityPolicy { get; }

    private static string ContentHash(IFileProvider files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in AllFiles(files, "/").Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path + "\n"));
            using var stream = files.GetFileInfo(path).CreateReadStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static IEnumerable<string> AllFiles(IFileProvider files, string folder) =>
        files.GetDirectoryContents(folder).SelectMany(entry =>
        {
            var path = $"{folder.TrimEnd('/')}/{entry.Name}";
            return entry.IsDirectory ? AllFiles(files, path) : [path];
        });

    private static string ReadAll(IFileProvider files, string path)
    {
        using var reader = new StreamReader(files.GetFileInfo(path).CreateReadStream(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string ImportMapHash(string html)
    {
        var importMap = ImportMap().Match(html);
        if (!importMap.Success)
            throw new InvalidOperationException("The dashboard's index.html has no import map");
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap.Groups[1].Value)))}'";
    }

    [GeneratedRegex("""<script type="importmap">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex ImportMap();
}
