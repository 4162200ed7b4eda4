using System.Text;
using System.Text.Json;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http;
using Tyto.Actors.Alerts;
using Tyto.Actors.Metrics;

namespace Tyto.Api;

/// <summary>One frame of a Server-Sent Events stream: an event with data, or a comment that keeps the connection alive.</summary>
public sealed record SseFrame(string Text)
{
    public static readonly SseFrame KeepAlive = new(": keep-alive\n\n");

    public static SseFrame Event(string type, string json) => new($"event: {type}\ndata: {json}\n\n");
}

/// <summary>
/// One open stream connection: its own view of the metrics hub and of the alerts hub (<c>event: alert</c>),
/// filtered to its agent, with its own bounded buffer that drops the oldest frames when the client reads too
/// slowly, so a slow client never slows a hub.
/// </summary>
public sealed class SseSubscriber(Source<MetricsSample, NotUsed> samples, string? agentId, Source<IAlertEvent, NotUsed>? alerts = null)
{
    public const int BufferSize = 32;
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public Source<SseFrame, NotUsed> Frames(TimeSpan keepAlive) =>
        samples
            .Where(s => agentId is null || s.AgentId == agentId)
            .Select(s => SseFrame.Event("metrics", JsonSerializer.Serialize(s, ApiJson.Metrics)))
            .Merge(
                (alerts ?? Source.Never<IAlertEvent>())
                    .Select(e => AlertEventDto.From(e))
                    .Where(a => agentId is null || a.AgentId == agentId)
                    .Select(a => SseFrame.Event("alert", JsonSerializer.Serialize(a, ApiJson.Options))),
                eagerComplete: true)
            .Buffer(BufferSize, OverflowStrategy.DropHead)
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
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame.Text), aborted);
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
