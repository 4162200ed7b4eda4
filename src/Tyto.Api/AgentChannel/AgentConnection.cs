using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Tyto.Actors.Agents;
using Tyto.Actors.Logs;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Api.AgentChannel;

/// <summary>
/// One agent's WebSocket, from its hello to its close. Frames are read one at a time: a sample is offered to the agent's
/// entity and run into the metrics hub when it is new (acknowledged once the history writer has stored it), log entries
/// run into the log hub under their sequence number (stored once, and acknowledged once stored), and only then is the
/// next frame read, so a slow hub slows the agent (whose window of unacknowledged frames then fills and its outbox
/// absorbs the rest). Nothing is acknowledged before it is in the database, so what a node that dies held is sent again
/// to the next one.
/// Acknowledgements go out in batches within <see cref="AckDelay"/>; one writer sends every frame the server has for
/// the agent.
/// </summary>
internal sealed partial class AgentConnection(WebSocket socket, string agentId, string serial, EndPoint? remote, AgentChannels channels) : IAgentChannel, IDisposable
{
    public static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan AckDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>How long an agent has to answer the server's closing frame before the connection is cut.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    /// <summary>The most stored timestamps an admission carries, so that it stays a bounded message: over a day of samples at one a second.</summary>
    public const int MaxStored = 100_000;

    /// <summary>Frames waiting to be sent; an agent that lets more pile up does not read its socket and is cut off.</summary>
    private const int OutboundCapacity = 256;

    private const int ReceiveChunk = 16 * 1024;

    private readonly Channel<ChannelFrame> _outbound = Channel.CreateBounded<ChannelFrame>(new BoundedChannelOptions(OutboundCapacity) { SingleReader = true });
    private readonly Channel<bool> _ackDue = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<long> _acks = [];
    private readonly CancellationTokenSource _reading = new();
    private readonly CancellationTokenSource _ended = new();
    private readonly ArrayBufferWriter<byte> _frame = new(ReceiveChunk);
    private ClosingFrame? _closing;

    /// <summary>Set when the connection ends, before the frames still to send are closed off: an acknowledgement later is dropped, not an error.</summary>
    private volatile bool _finished;

    public async Task RunAsync(CancellationToken stopping)
    {
        var writing = WriteAsync();
        var acknowledging = AcknowledgeAsync();
        IActorRef? actor = null;
        ISourceQueueWithComplete<MetricsSample>? samples = null;
        ISourceQueueWithComplete<LogBatch>? logs = null;
        await using var stop = stopping.Register(() => Close("SERVER_STOPPING", "The server is stopping"));
        try
        {
            var hello = await ReceiveHelloAsync();
            var stored = hello.OldestBuffered is { } oldest
                ? await channels.History.RawTimestampsAsync(agentId, oldest, MaxStored, _reading.Token)
                : new HashSet<long>();
            actor = channels.System.ActorOf(AgentConnectionActor.PropsFor(agentId, this, channels.Settings), channels.NextActorName(agentId));
            var admission = await channels.Region.Ask<AgentReply>(
                new AdmitConnection(agentId, serial, actor, hello.Version, hello.Buffered, hello.Dropped, stored), Agents.AskTimeout, _reading.Token);
            if (admission.ErrorCode is { } code)
            {
                LogRefused(channels.Logger, agentId, remote, code, admission.Message ?? code);
                Close(code, admission.Message ?? code);
                return;
            }
            LogConnected(channels.Logger, agentId, remote, hello.Version);
            channels.Receipts.Connected(agentId);
            actor.Tell(AgentConnectionActor.Admitted.Instance);
            samples = Source.Queue<MetricsSample>(1, OverflowStrategy.Backpressure).To(channels.Hub.Ingest).Run(channels.Materializer);
            logs = Source.Queue<LogBatch>(1, OverflowStrategy.Backpressure).To(channels.Logs.Ingest).Run(channels.Materializer);
            while (await ReceiveAsync(_reading.Token) is { } frame)
            {
                if (_closing is null)
                    await HandleAsync(frame, actor, samples, logs);
            }
        }
        catch (InvalidFrameException e)
        {
            LogRefused(channels.Logger, agentId, remote, "INVALID_FRAME", e.Message);
            Close("INVALID_FRAME", e.Message);
        }
        catch (AskTimeoutException)
        {
            LogRefused(channels.Logger, agentId, remote, "SERVER_UNAVAILABLE", "the agent's entity did not answer in time");
            Close("SERVER_UNAVAILABLE", "The server cannot take samples now");
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The agent went away, did not answer the closing frame in time, or did not say hello: nothing more to say to it.
        }
        finally
        {
            _finished = true;
            _outbound.Writer.TryComplete();
            _ended.CancelAfter(CloseGrace);
            await writing;
            await _ended.CancelAsync();
            await acknowledging;
            samples?.Complete();
            logs?.Complete();
            if (actor is not null)
                channels.System.Stop(actor);
            LogDisconnected(channels.Logger, agentId, remote, _closing?.Code ?? "closed by the agent");
        }
    }

    public void Send(ChannelFrame frame)
    {
        if (!_outbound.Writer.TryWrite(frame) && _closing is null && !_finished)
        {
            // The agent does not read what it is sent: cut it off rather than hold more for it.
            LogRefused(channels.Logger, agentId, remote, "SLOW_AGENT", $"more than {OutboundCapacity} frames wait to be sent");
            _reading.Cancel();
        }
    }

    public void Close(string code, string message)
    {
        var closing = new ClosingFrame(code, message);
        if (Interlocked.CompareExchange(ref _closing, closing, null) is not null)
            return;
        FlushAcknowledgements();
        _outbound.Writer.TryWrite(closing);
        _outbound.Writer.TryComplete();
        _reading.CancelAfter(CloseGrace);
    }

    public void Dispose()
    {
        _reading.Dispose();
        _ended.Dispose();
    }

    private async Task<HelloFrame> ReceiveHelloAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_reading.Token);
        timeout.CancelAfter(HelloTimeout);
        var first = await ReceiveAsync(timeout.Token);
        if (first is not HelloFrame hello)
            throw new InvalidFrameException("the first frame must be hello");
        if (hello.AgentId != agentId)
            throw new InvalidFrameException($"hello names agent '{hello.AgentId}', the certificate '{agentId}'");
        return hello;
    }

    private async Task HandleAsync(ChannelFrame frame, IActorRef actor, ISourceQueueWithComplete<MetricsSample> samples, ISourceQueueWithComplete<LogBatch> logs)
    {
        switch (frame)
        {
            case SampleFrame { Sample: var sample, Seq: var seq }:
                if (sample.AgentId != agentId)
                    throw new InvalidFrameException($"sample {seq} claims agent '{sample.AgentId}'");
                var verdict = await channels.Region.Ask<SampleVerdict>(new OfferSample(agentId, actor, seq, sample.Timestamp), Agents.AskTimeout, _reading.Token);
                if (verdict.ErrorCode is { } refused)
                {
                    LogRefused(channels.Logger, agentId, remote, refused, $"sample {seq} refused");
                    Close(refused, $"Sample {seq} is refused: {refused}");
                    return;
                }
                if (!verdict.Store)
                {
                    Acknowledge(seq);
                    break;
                }
                AcknowledgeOnceStored(seq, sample.Timestamp);
                if (await samples.OfferAsync(sample) is not QueueOfferResult.Enqueued)
                    Close("SERVER_STOPPING", "The server is stopping");
                break;
            case LogsFrame entries:
                if (entries.Problem() is { } problem)
                    throw new InvalidFrameException(problem);
                var batch = new LogBatch(agentId, entries.Source, entries.Entries, null, entries.Seq) { Stored = new(TaskCreationOptions.RunContinuationsAsynchronously) };
                if (await logs.OfferAsync(batch) is not QueueOfferResult.Enqueued)
                {
                    Close("SERVER_STOPPING", "The server is stopping");
                    return;
                }
                // Acknowledged once written, not when the hub took them: what a stop leaves unwritten the agent sends again.
                _ = batch.Stored.Task.ContinueWith(_ => Acknowledge(entries.Seq), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                break;
            case HeartbeatFrame heartbeat:
                channels.Region.Tell(new AgentHeartbeat(agentId, actor, heartbeat.Buffered, heartbeat.Dropped));
                break;
            case ReplyFrame reply:
                actor.Tell(reply);
                break;
            default:
                throw new InvalidFrameException($"an agent does not send {frame.GetType().Name} frames");
        }
    }

    /// <summary>The next frame, or null when the agent closed the socket.</summary>
    private async Task<ChannelFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        _frame.ResetWrittenCount();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(_frame.GetMemory(ReceiveChunk), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            _frame.Advance(result.Count);
            if (_frame.WrittenCount > AgentWire.MaxFrameBytes)
                throw new InvalidFrameException($"a frame is larger than {AgentWire.MaxFrameBytes} bytes");
        }
        while (!result.EndOfMessage);
        if (result.MessageType != WebSocketMessageType.Text)
            throw new InvalidFrameException("frames are JSON text");
        try
        {
            return AgentWire.Deserialize(_frame.WrittenSpan);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidFrameException($"a frame is not a channel frame: {e.Message}");
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync())
                await socket.SendAsync(AgentWire.Serialize(frame), WebSocketMessageType.Text, endOfMessage: true, _ended.Token);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var status = _closing?.Code == "INVALID_FRAME" ? WebSocketCloseStatus.PolicyViolation : WebSocketCloseStatus.NormalClosure;
                await socket.CloseOutputAsync(status, _closing?.Code, _ended.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The socket is gone; the reader sees it too.
            _reading.Cancel();
        }
    }

    private void Acknowledge(long seq)
    {
        int count;
        lock (_acks)
        {
            _acks.Add(seq);
            count = _acks.Count;
        }
        if (count >= AgentWire.Window / 2)
            FlushAcknowledgements();
        else
            _ackDue.Writer.TryWrite(true);
    }

    /// <summary>
    /// Acknowledges the sample once the history writer has stored it; asked before the sample reaches the hub. A connection
    /// that ended meanwhile drops the acknowledgement, and the agent sends the sample again on its next one.
    /// </summary>
    private void AcknowledgeOnceStored(long seq, DateTime timestamp) =>
        _ = channels.Receipts.WhenStored(agentId, timestamp).ContinueWith(
            _ => Acknowledge(seq), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Sends what is stored within <see cref="AckDelay"/> of the first sample of a batch.</summary>
    private async Task AcknowledgeAsync()
    {
        try
        {
            while (await _ackDue.Reader.WaitToReadAsync(_ended.Token))
            {
                _ackDue.Reader.TryRead(out _);
                await Task.Delay(AckDelay, _ended.Token);
                FlushAcknowledgements();
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
    }

    private void FlushAcknowledgements()
    {
        long[] seqs;
        lock (_acks)
        {
            if (_acks.Count == 0)
                return;
            seqs = [.. _acks];
            _acks.Clear();
        }
        Send(new AckFrame(seqs));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent '{AgentId}' connected from {Remote} (version {Version})")]
    private static partial void LogConnected(ILogger logger, string agentId, EndPoint? remote, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent '{AgentId}' from {Remote} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string agentId, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused agent '{AgentId}' from {Remote}: {Code}, {Reason}")]
    private static partial void LogRefused(ILogger logger, string agentId, EndPoint? remote, string code, string reason);

    private sealed class InvalidFrameException(string message) : Exception(message);
}
