using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tyto.Actors.Tests.Logs;

namespace Tyto.Actors.Tests.Collection;

/// <summary>
/// The Docker Engine API on a Unix socket, served by Kestrel: the container list and each container's stats come
/// from responses recorded from real engines (<c>tests/fixtures/docker-engine</c>), or from what a test sets. Each
/// container's inspect answer and logs come from <see cref="Logs"/> (<c>tests/fixtures/docker-logs</c>): logs from the
/// <c>since</c> asked for (inclusive, as the engine's), followed until the container stops when <c>follow=1</c>.
/// </summary>
internal sealed class FakeDockerEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _openLogs;

    private FakeDockerEngine(WebApplication app, string socket)
    {
        _app = app;
        Socket = socket;
    }

    public string Socket { get; }

    /// <summary>The body of <c>GET /containers/json</c>.</summary>
    public string Containers { get; set; } = Recording("containers.json");

    /// <summary>How each container's stats are answered, by full id; an id not here gets the recorded 404.</summary>
    public ConcurrentDictionary<string, Func<CancellationToken, Task<IResult>>> Stats { get; } = new();

    /// <summary>Each container's log, by full id; a container not here gets the recorded 404 for its logs and its inspect.</summary>
    public ConcurrentDictionary<string, FakeContainerLog> Logs { get; } = new();

    /// <summary>How many bytes a log response writes (and flushes) at once, so that bodies arrive in pieces that split frames and lines.</summary>
    public int LogChunkBytes { get; set; } = 7;

    /// <summary>
    /// Whether logs' <c>since</c> counts in whole seconds, as the Engine API documents it (an integer): the fraction
    /// asked for is dropped, so every line of that second comes again.
    /// </summary>
    public bool SinceInWholeSeconds { get; set; }

    /// <summary>Log responses being written now.</summary>
    public int OpenLogs => Volatile.Read(ref _openLogs);

    /// <summary>Every request path with its query, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The most stats requests that were being answered at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<FakeDockerEngine> StartAsync(string socket)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socket));
        var app = builder.Build();
        var engine = new FakeDockerEngine(app, socket);
        app.Use(async (context, next) =>
        {
            engine.Requests.Enqueue($"{context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });
        app.MapGet("/containers/json", () => Results.Text(engine.Containers, "application/json"));
        app.MapGet("/containers/{id}/stats", engine.AnswerStatsAsync);
        app.MapGet("/containers/{id}/json", engine.AnswerInspect);
        app.MapGet("/containers/{id}/logs", engine.AnswerLogsAsync);
        await app.StartAsync();
        return engine;
    }

    /// <summary>A recorded stats answer, as the engine sent it.</summary>
    public static Func<CancellationToken, Task<IResult>> Recorded(string file) => _ => Task.FromResult(Json(Recording(file)));

    /// <summary>An answer that never comes (until the client gives up).</summary>
    public static async Task<IResult> Hang(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Results.Empty;
    }

    public static IResult Json(string body) => Results.Text(body, "application/json");

    public static string Recording(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "docker-engine", file));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IResult NoSuchContainer(string id) =>
        Results.Text(Recording("no-such-container.json").Replace("non-existing", id, StringComparison.Ordinal), "application/json", statusCode: 404);

    /// <summary>The recorded inspect answer of a running container, with this container's id, TTY setting and start.</summary>
    private IResult AnswerInspect(string id)
    {
        if (!Logs.TryGetValue(id, out var log))
            return NoSuchContainer(id);
        var inspected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "docker-logs", "inspect-running.json")))!;
        inspected["Id"] = id;
        inspected["Config"]!["Tty"] = log.Tty;
        inspected["State"]!["StartedAt"] = log.StartedAt;
        return Json(inspected.ToJsonString());
    }

    private async Task AnswerLogsAsync(string id, HttpContext context)
    {
        if (!Logs.TryGetValue(id, out var log))
        {
            await NoSuchContainer(id).ExecuteAsync(context);
            return;
        }
        if (log.Unreadable is { } refusal)
        {
            // moby's ErrReadLogsNotSupported, a NotImplemented error.
            await Results.Json(new { message = refusal }, statusCode: 501).ExecuteAsync(context);
            return;
        }
        var query = context.Request.Query;
        var since = query["since"] is [{ } text] ? Since(text) : 0;
        if (SinceInWholeSeconds)
            since -= since % 1_000_000_000;
        context.Response.ContentType = log.Tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        // Ends when the reader goes away or the engine stops.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
        Interlocked.Increment(ref _openLogs);
        try
        {
            await context.Response.StartAsync(ended.Token);
            var sent = 0;
            var restarts = log.From(0).Restarts;
            while (true)
            {
                var (messages, running, restarted, changed) = log.From(sent);
                if (restarted != restarts)
                    return;
                foreach (var (nanos, bytes) in messages)
                {
                    if (nanos >= since)
                        await WriteInPiecesAsync(context.Response.Body, bytes, ended.Token);
                }
                sent += messages.Count;
                if (!running || query["follow"] != "1")
                    return;
                await changed.WaitAsync(ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The reader went away, or the engine stops.
        }
        finally
        {
            Interlocked.Decrement(ref _openLogs);
        }
    }

    /// <summary>The engine's <c>since</c>: Unix seconds with an optional fraction of up to nine digits, in nanoseconds.</summary>
    private static long Since(string text)
    {
        var parts = text.Split('.');
        var nanos = long.Parse(parts[0], CultureInfo.InvariantCulture) * 1_000_000_000;
        return parts.Length == 2 ? nanos + long.Parse(parts[1].PadRight(9, '0'), CultureInfo.InvariantCulture) : nanos;
    }

    private async Task WriteInPiecesAsync(Stream body, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var at = 0; at < bytes.Length; at += LogChunkBytes)
        {
            await body.WriteAsync(bytes.AsMemory(at, Math.Min(LogChunkBytes, bytes.Length - at)), cancellationToken);
            await body.FlushAsync(cancellationToken);
        }
    }

    private async Task<IResult> AnswerStatsAsync(string id, HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        try
        {
            return Stats.TryGetValue(id, out var answer) ? await answer(context.RequestAborted) : NoSuchContainer(id);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
