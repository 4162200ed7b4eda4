using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Tyto.Collection.Channel;

namespace Tyto.Agent;

/// <summary>The server refused the channel's handshake with <see cref="Status"/>: 401 or 403 mean this agent's certificate no longer counts.</summary>
public sealed class ChannelRefusedException(HttpStatusCode status, Exception inner)
    : Exception($"the server refused the channel with {(int)status} {status}", inner)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>One WebSocket to a server's agent endpoint over mutual TLS, one JSON frame per message (<see cref="AgentWire"/>).</summary>
public sealed class AgentSocket : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;

    private AgentSocket(ClientWebSocket socket, Uri server)
    {
        _socket = socket;
        Server = server;
    }

    public Uri Server { get; }

    /// <summary>Opens the channel of <paramref name="server"/> with the agent's certificate, trusting the server by <paramref name="trust"/>.</summary>
    /// <exception cref="ChannelRefusedException">The server answered the handshake with an HTTP error.</exception>
    public static async Task<AgentSocket> ConnectAsync(Uri server, AgentFiles files, ServerTrust trust, CancellationToken cancellationToken)
    {
        await trust.EnsureCaAsync(server, cancellationToken);
        var socket = new ClientWebSocket();
        socket.Options.ClientCertificates = [files.ClientCertificate()];
        socket.Options.RemoteCertificateValidationCallback = trust.Validate;
        socket.Options.CollectHttpResponseDetails = true;
        var channel = new UriBuilder(new Uri(server, AgentWire.ChannelPath)) { Scheme = "wss" }.Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(channel, timeout.Token);
            return new AgentSocket(socket, server);
        }
        catch (WebSocketException e) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            socket.Dispose();
            throw new ChannelRefusedException(socket.HttpStatusCode, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one frame; false when the connection is gone.</summary>
    public async Task<bool> SendAsync(ChannelFrame frame)
    {
        try
        {
            await _socket.SendAsync(AgentWire.Serialize(frame), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Hands every frame the server sends to <paramref name="onFrame"/> until the connection ends, and returns the
    /// <see cref="ClosingFrame"/> that said why, if one did.
    /// </summary>
    public async Task<ClosingFrame?> ReadUntilClosedAsync(Action<ChannelFrame> onFrame)
    {
        ClosingFrame? closing = null;
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                    return closing;
                buffer.Advance(result.Count);
                if (buffer.WrittenCount > AgentWire.MaxFrameBytes)
                    return closing;
                if (!result.EndOfMessage)
                    continue;
                var frame = AgentWire.Deserialize(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
                if (frame is ClosingFrame said)
                    closing = said;
                onFrame(frame);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or JsonException)
        {
            return closing;
        }
    }

    public void Dispose() => _socket.Dispose();
}
