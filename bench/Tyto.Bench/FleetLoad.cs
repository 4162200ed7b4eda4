using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Bench;

/// <summary>
/// Many simulated agents against one real server (bench/README.md, section 6): each is pre-registered through the API,
/// enrolls with its token over the agent endpoint, and holds its own mutual-TLS WebSocket sending one sample a second
/// on the real protocol. One SSE client measures how long a sample takes from the agent to the stream.
/// </summary>
public static class FleetLoad
{
    private const string Prefix = "sim-";

    public sealed record Settings(Uri Api, Uri Agents, string Password, int Count, TimeSpan Measure, int ServerPid)
    {
        /// <summary><c>fleet API_URL AGENTS_URL PASSWORD SERVER_PID [COUNT=1000] [SECONDS=120]</c>.</summary>
        public static Settings Parse(string[] args) => new(
            new Uri(args[1]), new Uri(args[2]), args[3], args.Length > 5 ? Int(args[5]) : 1000, TimeSpan.FromSeconds(args.Length > 6 ? Int(args[6]) : 120), Int(args[4]));

        private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        using var api = new HttpClient { BaseAddress = settings.Api, Timeout = TimeSpan.FromSeconds(60) };
        var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = settings.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var template = await LocalSampleAsync(api);

        var ca = await FetchCaAsync(settings.Agents);
        var clock = Stopwatch.StartNew();
        var agents = new SimulatedAgent[settings.Count];
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            agents[i] = await SimulatedAgent.EnrollAsync(api, settings.Agents, ca, $"{Prefix}{i:D4}", SourceAddress(i), ct));
        Console.WriteLine($"Enrolled {settings.Count} agents in {clock.Elapsed.TotalSeconds:F0} s");

        var rssBefore = Rss(settings.ServerPid);
        clock.Restart();
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) => await agents[i].ConnectAsync(settings.Agents, ct));
        Console.WriteLine($"Connected {settings.Count} agents in {clock.Elapsed.TotalSeconds:F0} s; server RSS {rssBefore / 1e6:F0} MB before, {Rss(settings.ServerPid) / 1e6:F0} MB after");

        using var stop = new CancellationTokenSource();
        var latencies = new List<double>();
        var watching = WatchStreamAsync(settings.Api, token, latencies, stop.Token);
        var sending = agents.Select((agent, i) => agent.SendEverySecondAsync(template, TimeSpan.FromMilliseconds(1000.0 * i / settings.Count), stop.Token)).ToList();

        // Warm-up: connections settle and the JIT is done before anything is counted.
        await Task.Delay(TimeSpan.FromSeconds(20));
        lock (latencies)
            latencies.Clear();
        var cpuBefore = CpuTime(settings.ServerPid);
        var sentBefore = agents.Sum(a => a.Sent);
        clock.Restart();
        await Task.Delay(settings.Measure);
        var cpu = (CpuTime(settings.ServerPid) - cpuBefore) / clock.Elapsed;
        var sent = agents.Sum(a => a.Sent) - sentBefore;
        var rssLoaded = Rss(settings.ServerPid);
        await stop.CancelAsync();
        await Task.WhenAll(sending.Append(watching).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        double[] sorted;
        lock (latencies)
            sorted = [.. latencies.Order()];
        Console.WriteLine($"Measured {clock.Elapsed.TotalSeconds:F0} s: {sent} samples sent ({sent / clock.Elapsed.TotalSeconds:F0}/s), {sorted.Length} seen on the stream, {agents.Sum(a => a.Acked)} acknowledged in all");
        Console.WriteLine($"Server CPU {cpu * 100:F1} % of one core; RSS {rssLoaded / 1e6:F0} MB ({(rssLoaded - rssBefore) / 1024.0 / settings.Count:F0} KB per connection over the idle server)");
        if (sorted.Length > 0)
            Console.WriteLine($"Sample → SSE latency: p50 {Percentile(sorted, 0.50):F0} ms, p99 {Percentile(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms");
        foreach (var agent in agents)
            agent.Dispose();
        return 0;
    }

    /// <summary>A real sample of the server's own host, as the template every simulated agent sends.</summary>
    private static async Task<MetricsSample> LocalSampleAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/v1/stream?agent_id=local", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                return JsonSerializer.Deserialize<MetricsSample>(line["data: ".Length..], AgentWire.SampleJson)!;
        }
        throw new InvalidOperationException("The stream ended before a sample of the local host arrived.");
    }

    private static async Task WatchStreamAsync(Uri api, string token, List<double> latencies, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/v1/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || !line.Contains($"\"{Prefix}", StringComparison.Ordinal))
                continue;
            var sample = JsonNode.Parse(line["data: ".Length..])!;
            var at = sample["timestamp"]!.GetValue<DateTime>();
            lock (latencies)
                latencies.Add((DateTime.UtcNow - at).TotalMilliseconds);
        }
    }

    /// <summary>The agent endpoint's CA, as an agent fetches it before it checks the fingerprint the API gave.</summary>
    private static async Task<X509Certificate2> FetchCaAsync(Uri agents)
    {
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null } });
        return X509Certificate2.CreateFromPem(await client.GetStringAsync(new Uri(agents, AgentWire.CaPath)));
    }

    /// <summary>Each agent its own loopback address, as hosts of a fleet have: enrollment is rate-limited per address.</summary>
    private static IPAddress SourceAddress(int i) => new([127, 1, (byte)(i / 250), (byte)(i % 250 + 1)]);

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static TimeSpan CpuTime(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static long Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).Single();

    /// <summary>One agent: its certificate, its WebSocket, and the samples it sent and had acknowledged.</summary>
    private sealed class SimulatedAgent(string id, X509Certificate2 certificate, X509Certificate2 ca) : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly SemaphoreSlim _sending = new(1, 1);
        private long _sent;
        private long _acked;

        public long Sent => Interlocked.Read(ref _sent);

        public long Acked => Interlocked.Read(ref _acked);

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

        public async Task ConnectAsync(Uri agents, CancellationToken cancellationToken)
        {
            _socket.Options.ClientCertificates.Add(certificate);
            _socket.Options.RemoteCertificateValidationCallback = (_, server, _, _) => IssuedBy(server, ca);
            var url = new UriBuilder(agents) { Scheme = "wss", Path = AgentWire.ChannelPath }.Uri;
            await _socket.ConnectAsync(url, cancellationToken);
            await SendAsync(new HelloFrame(id, "bench", id, "linux", "x86_64", 0, 0, null), cancellationToken);
            _ = ReadAcksAsync();
        }

        public async Task SendEverySecondAsync(MetricsSample template, TimeSpan offset, CancellationToken cancellationToken)
        {
            await Task.Delay(offset, cancellationToken);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            long seq = 0;
            do
            {
                var sample = template with { AgentId = id, Timestamp = DateTime.UtcNow.TruncateToMillisecond() };
                await SendAsync(new SampleFrame(++seq, sample), cancellationToken);
                Interlocked.Increment(ref _sent);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }

        public void Dispose()
        {
            _socket.Dispose();
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

        private async Task ReadAcksAsync()
        {
            var buffer = new byte[AgentWire.MaxFrameBytes];
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                if (AgentWire.Deserialize(buffer.AsSpan(0, length)) is AckFrame ack)
                    Interlocked.Add(ref _acked, ack.Seqs.Count);
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
}
