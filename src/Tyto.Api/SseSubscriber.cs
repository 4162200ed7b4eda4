using System.Text;
using System.Text.Json;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>
/// One frame of a Server-Sent Events stream, as UTF-8: an event with data, or a comment that keeps the connection
/// alive. It is encoded the first time a connection sends it, and that encoding is shared by every other connection.
/// </summary>
public sealed class SseFrame(string? agentId, Func<byte[]> encode)
{
    public static readonly SseFrame KeepAlive = new(null, () => ": keep-alive\n\n"u8.ToArray());

    private readonly Lazy<byte[]> _utf8 = new(encode);

    /// <summary>The agent the frame is about; none for a comment.</summary>
    public string? AgentId { get; } = agentId;

    public ReadOnlyMemory<byte> Utf8 => _utf8.Value;

    public static SseFrame Metrics(MetricsSample sample) =>
        Event(sample.AgentId, "metrics", () => JsonSerializer.SerializeToUtf8Bytes(sample, ApiJson.Metrics));

    public static SseFrame Alert(AlertEventDto alert) =>
        Event(alert.AgentId, "alert", () => JsonSerializer.SerializeToUtf8Bytes(alert, ApiJson.Options));

    public static SseFrame Log(LogsApi.LogEntryDto entry) =>
        Event(entry.AgentId, "log", () => JsonSerializer.SerializeToUtf8Bytes(entry, ApiJson.Options));

    private static SseFrame Event(string agentId, string type, Func<byte[]> data) =>
        new(agentId, () => [.. Encoding.UTF8.GetBytes($"event: {type}\ndata: "), .. data(), .. "\n\n"u8]);
}

/// <summary>
/// One open stream connection's view of the live frames: filtered to its agent, with its own bounded buffer of
/// <paramref name="bufferSize"/> frames that drops the oldest when the client reads too slowly, so a slow client never
/// slows the others.
/// </summary>
public sealed class SseSubscriber(Source<SseFrame, NotUsed> frames, string? agentId, int bufferSize = SseSubscriber.BufferSize)
{
    public const int BufferSize = 32;
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public Source<SseFrame, NotUsed> Frames(TimeSpan keepAlive) =>
        frames
            .Where(f => agentId is null || f.AgentId == agentId)
            .Buffer(bufferSize, OverflowStrategy.DropHead)
            .KeepAlive(keepAlive, () => SseFrame.KeepAlive);
}

/// <summary>
/// Writes a stream of frames as <c>text/event-stream</c> until the client goes away, its session ends or the node
/// shuts down: the session is checked again every <see cref="SessionRecheck"/>, so a logged-out or disabled user
/// stops receiving; at shutdown the response ends like any other, with its final chunk.
/// </summary>
public sealed class ServerSentEventsResult(
    Source<SseFrame, NotUsed> frames, IMaterializer materializer, SseConnections connections, Func<CancellationToken, Task<bool>> stillAllowed) : IResult
{
    public static readonly TimeSpan SessionRecheck = TimeSpan.FromSeconds(5);
    private const string Retry = "retry: 3000\n\n";

    /// <summary>The stream of <paramref name="frames"/> for the request's session, while it holds <paramref name="permission"/>.</summary>
    public static ServerSentEventsResult WhilePermitted(
        Source<SseFrame, NotUsed> frames, string permission, HttpContext context, IdentityStore identity, IMaterializer materializer, SseConnections connections)
    {
        var token = context.SessionToken();
        return new ServerSentEventsResult(frames, materializer, connections,
            async ct => await identity.AuthenticateAsync(token, ct) is { } user && Permissions.AnyGrants(user.Permissions, permission));
    }

    public Task ExecuteAsync(HttpContext httpContext) => connections.ServeAsync(() => WriteAsync(httpContext));

    private async Task WriteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        var aborted = ended.Token;
        var watch = WatchSessionAsync(ended);
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.WriteAsync(Retry, aborted);
            await response.Body.FlushAsync(aborted);
            await foreach (var frame in connections.UntilShutdown(frames).RunAsAsyncEnumerable(materializer).WithCancellation(aborted))
            {
                await response.Body.WriteAsync(frame.Utf8, aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client closed the stream, or its session ended.
        }
        finally
        {
            await ended.CancelAsync();
            await watch;
        }
    }

    private async Task WatchSessionAsync(CancellationTokenSource ended)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SessionRecheck, ended.Token);
                if (!await stillAllowed(ended.Token))
                {
                    await ended.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream ended first.
        }
    }
}
