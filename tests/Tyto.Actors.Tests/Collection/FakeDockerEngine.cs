using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tyto.Actors.Tests.Collection;

/// <summary>
/// The Docker Engine API on a Unix socket, served by Kestrel: the container list and each container's stats come
/// from responses recorded from real engines (<c>tests/fixtures/docker-engine</c>), or from what a test sets.
/// </summary>
internal sealed class FakeDockerEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;

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

    private async Task<IResult> AnswerStatsAsync(string id, HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        try
        {
            return Stats.TryGetValue(id, out var answer)
                ? await answer(context.RequestAborted)
                : Results.Text(Recording("no-such-container.json").Replace("non-existing", id, StringComparison.Ordinal), "application/json", statusCode: 404);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
