using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
    internal const string Prefix = "sim-";

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

        var ca = await SimulatedAgent.FetchCaAsync(settings.Agents);
        var clock = Stopwatch.StartNew();
        var agents = new SimulatedAgent[settings.Count];
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            agents[i] = await SimulatedAgent.EnrollAsync(api, settings.Agents, ca, $"{Prefix}{i:D4}", SimulatedAgent.SourceAddress(i), ct));
        Console.WriteLine($"Enrolled {settings.Count} agents in {clock.Elapsed.TotalSeconds:F0} s");

        var rssBefore = Rss(settings.ServerPid);
        clock.Restart();
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) => await agents[i].ConnectAsync(settings.Agents, ct));
        Console.WriteLine($"Connected {settings.Count} agents in {clock.Elapsed.TotalSeconds:F0} s; server RSS {rssBefore / 1e6:F0} MB before, {Rss(settings.ServerPid) / 1e6:F0} MB after");

        using var stop = new CancellationTokenSource();
        var latencies = new List<double>();
        var watching = WatchStreamAsync(settings.Api, token, (_, latency) =>
        {
            lock (latencies)
                latencies.Add(latency);
        }, stop.Token);
        var sending = agents.Select((agent, i) => agent.SendEverySecondAsync((id, at) => template with { AgentId = id, Timestamp = at }, TimeSpan.FromMilliseconds(1000.0 * i / settings.Count), stop.Token)).ToList();

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

    /// <summary>A real sample of the server's own host (<paramref name="agentId"/>), as the template every simulated agent sends.</summary>
    internal static async Task<MetricsSample> LocalSampleAsync(HttpClient api, string agentId = "local")
    {
        using var response = await api.GetAsync($"/api/v1/stream?agent_id={agentId}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                return JsonSerializer.Deserialize<MetricsSample>(line["data: ".Length..], AgentWire.SampleJson)!;
        }
        throw new InvalidOperationException("The stream ended before a sample of the local host arrived.");
    }

    /// <summary>Reads <c>/api/v1/stream</c> and tells <paramref name="seen"/> each simulated sample's agent and its latency in ms.</summary>
    internal static async Task WatchStreamAsync(Uri api, string token, Action<string, double> seen, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/v1/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var metrics = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // Alert events name simulated agents too: only the data of a metrics event is a sample.
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                metrics = line == "event: metrics";
            if (!metrics || !line.StartsWith("data: ", StringComparison.Ordinal) || !line.Contains($"\"{Prefix}", StringComparison.Ordinal))
                continue;
            var sample = JsonNode.Parse(line["data: ".Length..])!;
            var at = sample["timestamp"]!.GetValue<DateTime>();
            seen(sample["agentId"]!.GetValue<string>(), (DateTime.UtcNow - at).TotalMilliseconds);
        }
    }

    internal static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static TimeSpan CpuTime(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    internal static long Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).Single();
}
