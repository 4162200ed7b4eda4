using System.Net;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

/// <summary>Log files a test host follows (<c>Tyto:Logs:Files</c>).</summary>
internal static class WatchedFiles
{
    /// <summary>
    /// A file there at the file source's first read is followed from its end: appends <c>warming up N</c> lines to
    /// <paramref name="file"/> until the search finds a file entry, so that what is appended next is new to the source.
    /// </summary>
    public static async Task WarmUpAsync(HttpClient admin, string file)
    {
        var attempt = 0;
        await Poll.UntilAsync(
            async () =>
            {
                await File.AppendAllTextAsync(file, $"warming up {++attempt}\n");
                using var response = await admin.GetAsync("/api/v1/logs?source=file&limit=1");
                return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32() > 0;
            },
            "the file source reads the file");
    }
}
