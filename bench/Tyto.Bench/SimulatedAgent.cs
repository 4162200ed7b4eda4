using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Bench;

/// <summary>
/// One simulated agent (bench/README.md, sections 6 and 10): its certificate, its mutual-TLS WebSocket on the real
/// protocol, and the samples it sent and had acknowledged.
/// </summary>
public sealed class SimulatedAgent(string id, X509Certificate2 certificate, X509Certificate2 ca) : IDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private ClientWebSocket _socket = new();
    private long _sent;
    private long _acked;
    private long _lastAckedAt;
    private int _server = -1;

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>When an acknowledgement last arrived (<see cref="Stopwatch.GetTimestamp"/>), 0 before the first.</summary>
    public long LastAckedAt => Interlocked.Read(ref _lastAckedAt);

    /// <summary>The index, in the list it was given, of the server the agent is connected to; -1 while it is not.</summary>
    public int Server => Volatile.Read(ref _server);

    /// <summary>The agent endpoint's CA, as an agent fetches it before it checks the fingerprint the API gave.</summary>
    public static async Task<X509Certificate2> FetchCaAsync(Uri agents)
    {
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null } });
        return X509Certificate2.CreateFromPem(await client.GetStringAsync(new Uri(agents, AgentWire.CaPath)));
    }

    /// <summary>Each agent its own loopback address, as hosts of a fleet have: enrollment is rate-limited per address.</summary>
    public static IPAddress SourceAddress(int i) => new([127, 1, (byte)(i / 250), (byte)(i % 250 + 1)]);

    public static async Task<SimulatedAgent> EnrollAsync(HttpClient api, Uri agents, X509Certificate2 ca, string id, IPAddress source, CancellationToken cancellationToken)
    {
        var registered = await api.PostAsJsonAsync("/api/v1/agents", new { id, name = id }, cancellationToken);
        registered.EnsureSuccessStatusCode();
        var enrollment = (await registered.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["enrollment"]!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={id}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        if (AgentWire.FingerprintOf(ca) != enrollment["ca_fingerprint"]!.GetValue<string>())
            throw new InvalidOperationException("The agent endpoint's CA is not the one the API names.");
        using var enroll = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, server, _, _) => IssuedBy(server, ca) },
            ConnectCallback = (context, ct) => ConnectFromAsync(source, context.DnsEndPoint, ct),
        })
        {
            BaseAddress = agents,
        };
        var answer = await enroll.PostAsJsonAsync(
            AgentWire.EnrollPath,
            new EnrollmentRequest(id, id, id, "linux", "x86_64", csr, enrollment["token"]!.GetValue<string>(), null),
            AgentWire.Json,
            cancellationToken);
        answer.EnsureSuccessStatusCode();
        var approved = (await answer.Content.ReadFromJsonAsync<EnrollmentAnswer>(AgentWire.Json, cancellationToken))!;
        using var withKey = X509Certificate2.CreateFromPem(approved.Certificate, key.ExportPkcs8PrivateKeyPem());
        return new SimulatedAgent(id, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), ca);
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint server, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task ConnectAsync(Uri agents, CancellationToken cancellationToken) => ConnectAsync([agents], 0, cancellationToken);

    /// <summary>
    /// Connects to <paramref name="servers"/>[<paramref name="first"/>]; when that connection ends, moves to the next
    /// server of the list 1 s later, and on through the list until one answers, as the real agent does.
    /// </summary>
    public async Task ConnectAsync(IReadOnlyList<Uri> servers, int first, CancellationToken cancellationToken)
    {
        await ConnectToAsync(servers[first], cancellationToken);
        Volatile.Write(ref _server, first);
        _ = StayConnectedAsync(servers, first);
    }

    private async Task ConnectToAsync(Uri agents, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.ClientCertificates.Add(certificate);
        socket.Options.RemoteCertificateValidationCallback = (_, server, _, _) => IssuedBy(server, ca);
        var url = new UriBuilder(agents) { Scheme = "wss", Path = AgentWire.ChannelPath }.Uri;
        try
        {
            await socket.ConnectAsync(url, cancellationToken);
            // Hello first, on this socket alone: samples go to the new socket only once it is the agent's.
            var hello = new HelloFrame(id, "bench", id, "linux", "x86_64", 0, 0, null);
            await socket.SendAsync(AgentWire.Serialize(hello), WebSocketMessageType.Text, true, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var previous = Interlocked.Exchange(ref _socket, socket);
        previous.Dispose();
    }

    private async Task StayConnectedAsync(IReadOnlyList<Uri> servers, int server)
    {
        var cancellationToken = _disposed.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            await ReadAcksAsync();
            Volatile.Write(ref _server, -1);
            do
            {
                server = (server + 1) % servers.Count;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    await ConnectToAsync(servers[server], cancellationToken);
                    Volatile.Write(ref _server, server);
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
                {
                    if (cancellationToken.IsCancellationRequested)
                        return;
                }
            }
            while (Server < 0);
        }
    }

    /// <summary>Sends <paramref name="sample"/>(agent id, now) once a second, from <paramref name="offset"/> on.</summary>
    public async Task SendEverySecondAsync(Func<string, DateTime, MetricsSample> sample, TimeSpan offset, CancellationToken cancellationToken)
    {
        await Task.Delay(offset, cancellationToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long seq = 0;
        do
        {
            try
            {
                await SendAsync(new SampleFrame(++seq, sample(id, DateTime.UtcNow.TruncateToMillisecond())), cancellationToken);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                // Between servers: this sample is lost (a real agent's outbox would keep it), the next goes to the new one.
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _socket.Dispose();
        _disposed.Dispose();
        _sending.Dispose();
        certificate.Dispose();
    }

    private async Task SendAsync(ChannelFrame frame, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(AgentWire.Serialize(frame), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Counts the acknowledgements until the connection closes or fails.</summary>
    private async Task ReadAcksAsync()
    {
        var socket = _socket;
        var buffer = new byte[AgentWire.MaxFrameBytes];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                if (AgentWire.Deserialize(buffer.AsSpan(0, length)) is AckFrame ack)
                {
                    Interlocked.Add(ref _acked, ack.Seqs.Count);
                    Interlocked.Exchange(ref _lastAckedAt, Stopwatch.GetTimestamp());
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // The server went away, or the agent was disposed: either way this connection is over.
        }
    }

    /// <summary>Whether the server's certificate chains up to the pinned CA: what a real agent checks.</summary>
    private static bool IssuedBy(X509Certificate? server, X509Certificate2 ca)
    {
        if (server is null)
            return false;
        using var leaf = X509CertificateLoader.LoadCertificate(server.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
