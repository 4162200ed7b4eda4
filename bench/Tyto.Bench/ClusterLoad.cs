using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Tyto.Bench;

/// <summary>
/// Simulated agents against a cluster of real server nodes on one PostgreSQL (bench/README.md, section 11): agent
/// <c>i</c> is pre-registered and enrolled through node <c>i % nodes</c> and connects there, holding the whole node list
/// to move on as the real agent does. An SSE client on the last node times each sample to its frame, apart for the
/// agents of other nodes; the driver reads each node's CPU and RSS and the rows written to <c>history_raw</c>. Then it
/// kills (SIGKILL) the first node, which as the oldest holds the singletons, and times until every agent is back.
/// </summary>
public static class ClusterLoad
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(180);

    public sealed record Node(Uri Api, Uri Agents, int Pid, string AgentId);

    public sealed record Settings(string Password, string Database, int PostgresPid, int Count, TimeSpan Measure, IReadOnlyList<Node> Nodes)
    {
        /// <summary>
        /// <c>cluster PASSWORD CONNECTION_STRING POSTGRES_PID COUNT SECONDS API_URL,AGENTS_URL,PID,AGENT_ID…</c>, a node
        /// per argument, the first the one killed, the last the one streamed from.
        /// </summary>
        public static Settings Parse(string[] args) => new(
            args[1], args[2], Int(args[3]), Int(args[4]), TimeSpan.FromSeconds(Int(args[5])),
            [.. args[6..].Select(a => a.Split(',')).Select(p => new Node(new Uri(p[0]), new Uri(p[1]), Int(p[2]), p[3]))]);

        private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        var nodes = settings.Nodes;
        var (killed, streamed) = (0, nodes.Count - 1);
        var apis = new HttpClient[nodes.Count];
        var token = "";
        for (var n = 0; n < nodes.Count; n++)
            (apis[n], token) = await SignInAsync(nodes[n].Api, settings.Password);
        var template = await FleetLoad.LocalSampleAsync(apis[0], nodes[0].AgentId);
        var ca = await SimulatedAgent.FetchCaAsync(nodes[0].Agents);
        var servers = nodes.Select(n => n.Agents).ToArray();

        var clock = Stopwatch.StartNew();
        var agents = new SimulatedAgent[settings.Count];
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            agents[i] = await SimulatedAgent.EnrollAsync(apis[i % nodes.Count], servers[i % nodes.Count], ca, $"{FleetLoad.Prefix}{i:D4}", SimulatedAgent.SourceAddress(i), ct));
        Console.WriteLine($"Enrolled {settings.Count} agents through {nodes.Count} nodes in {clock.Elapsed.TotalSeconds:F0} s");
        clock.Restart();
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) => await agents[i].ConnectAsync(servers, i % nodes.Count, ct));
        Console.WriteLine($"Connected {settings.Count} agents in {clock.Elapsed.TotalSeconds:F0} s");

        using var stop = new CancellationTokenSource();
        var (crossNode, sameNode) = (new List<double>(), new List<double>());
        var watching = FleetLoad.WatchStreamAsync(nodes[streamed].Api, token, (agentId, latency) =>
        {
            var list = agents[int.Parse(agentId[FleetLoad.Prefix.Length..], CultureInfo.InvariantCulture)].Server == streamed ? sameNode : crossNode;
            lock (list)
                list.Add(latency);
        }, stop.Token);
        var sending = agents.Select((agent, i) => agent.SendEverySecondAsync((id, at) => template with { AgentId = id, Timestamp = at }, TimeSpan.FromMilliseconds(1000.0 * i / settings.Count), stop.Token)).ToList();

        // Warm-up: connections settle, the history writers restore and the JIT is done before anything is counted.
        await Task.Delay(TimeSpan.FromSeconds(20));
        foreach (var list in (List<double>[])[crossNode, sameNode])
        {
            lock (list)
                list.Clear();
        }
        var cpuBefore = nodes.Select(n => FleetLoad.CpuTime(n.Pid)).ToArray();
        var postgresBefore = PostgresCpuTime(settings.PostgresPid);
        var driverBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var rowsBefore = await RawRowsAsync(settings.Database);
        var sentBefore = agents.Sum(a => a.Sent);
        clock.Restart();
        await Task.Delay(settings.Measure);
        var elapsed = clock.Elapsed;
        var rows = await RawRowsAsync(settings.Database) - rowsBefore;
        var sent = agents.Sum(a => a.Sent) - sentBefore;
        Console.WriteLine($"Measured {elapsed.TotalSeconds:F0} s: {sent} samples sent ({sent / elapsed.TotalSeconds:F0}/s), {rows} rows written to history_raw ({rows / elapsed.TotalSeconds:F0}/s, the nodes' own hosts included)");
        for (var n = 0; n < nodes.Count; n++)
        {
            var cpu = (FleetLoad.CpuTime(nodes[n].Pid) - cpuBefore[n]) / elapsed;
            Console.WriteLine($"Node {n + 1} ({nodes[n].AgentId}): {agents.Count(a => a.Server == n)} agents, CPU {cpu * 100:F1} % of one core, RSS {FleetLoad.Rss(nodes[n].Pid) / 1e6:F0} MB");
        }
        Console.WriteLine($"PostgreSQL CPU {(PostgresCpuTime(settings.PostgresPid) - postgresBefore) / elapsed * 100:F1} % of one core; this driver {(Process.GetCurrentProcess().TotalProcessorTime - driverBefore) / elapsed * 100:F1} %");
        Report($"Sample → SSE on node {streamed + 1}, agents of other nodes", crossNode);
        Report($"Sample → SSE on node {streamed + 1}, its own agents", sameNode);
        if (watching.IsCompleted)
            Console.WriteLine($"The stream on node {streamed + 1} ended early: {watching.Exception?.GetBaseException().Message ?? "closed by the server"}");

        var moving = agents.Where(a => a.Server == killed).ToList();
        Console.WriteLine($"Killing node {killed + 1} (pid {nodes[killed].Pid}) with {moving.Count} agents connected to it");
        var killedAt = Stopwatch.GetTimestamp();
        Process.GetProcessById(nodes[killed].Pid).Kill();
        var recovered = await RecoverAsync(apis[streamed], agents, killed, killedAt, settings.Count);
        Console.WriteLine(recovered);

        await stop.CancelAsync();
        await Task.WhenAll(sending.Append(watching).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var agent in agents)
            agent.Dispose();
        foreach (var api in apis)
            api.Dispose();
        return 0;
    }

    /// <summary>
    /// Polls until every agent is connected to a surviving node, <c>GET /api/v1/agents</c> of <paramref name="api"/> lists
    /// every one online (once they all reconnected, since a list read right after the kill may not know yet), and every
    /// agent had a sample acknowledged after the kill: the times of each, from the kill.
    /// </summary>
    private static async Task<string> RecoverAsync(HttpClient api, SimulatedAgent[] agents, int killed, long killedAt, int count)
    {
        TimeSpan? reconnected = null, online = null, acknowledged = null, firstOffline = null;
        var lastOnline = -1;
        while (Stopwatch.GetElapsedTime(killedAt) < RecoveryLimit && (reconnected is null || online is null || acknowledged is null))
        {
            var now = Stopwatch.GetElapsedTime(killedAt);
            if (reconnected is null && agents.All(a => a.Server >= 0 && a.Server != killed))
                reconnected = now;
            if (acknowledged is null && agents.All(a => a.LastAckedAt > killedAt))
                acknowledged = now;
            lastOnline = await OnlineAsync(api);
            if (firstOffline is null && lastOnline >= 0 && lastOnline < count)
                firstOffline = now;
            if (online is null && reconnected is not null && lastOnline == count)
                online = Stopwatch.GetElapsedTime(killedAt);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        static string Seconds(TimeSpan? t) => t is { } at ? $"{at.TotalSeconds:F1} s" : "not within the limit";
        return $"After the kill: the API first listed fewer than {count} online at {Seconds(firstOffline)}; every agent connected to a surviving node at {Seconds(reconnected)}; " +
            $"all {count} online in GET /api/v1/agents at {Seconds(online)} (last read: {lastOnline} online); every agent acknowledged again at {Seconds(acknowledged)} " +
            $"(limit {RecoveryLimit.TotalSeconds:F0} s)";
    }

    /// <summary>How many simulated agents the list calls online; -1 when the node did not answer in time.</summary>
    private static async Task<int> OnlineAsync(HttpClient api)
    {
        try
        {
            var list = await api.GetFromJsonAsync<JsonObject>("/api/v1/agents");
            return list!["agents"]!.AsArray().Count(a => a!["id"]!.GetValue<string>().StartsWith(FleetLoad.Prefix, StringComparison.Ordinal) && a["status"]!.GetValue<string>() == "online");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }

    private static void Report(string what, List<double> latencies)
    {
        double[] sorted;
        lock (latencies)
            sorted = [.. latencies.Order()];
        Console.WriteLine(sorted.Length == 0
            ? $"{what}: no frame"
            : $"{what}: {sorted.Length} frames, p50 {FleetLoad.Percentile(sorted, 0.50):F0} ms, p99 {FleetLoad.Percentile(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms");
    }

    private static async Task<(HttpClient Api, string Token)> SignInAsync(Uri url, string password)
    {
        var api = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (api, token);
    }

    private static async Task<long> RawRowsAsync(string connectionString)
    {
        // Generous timeouts: the nodes, the agents and this driver share the machine's cores with PostgreSQL.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 60, CommandTimeout = 120 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM history_raw", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>CPU time of the postmaster and its children (backends, writers): the server's whole cost.</summary>
    private static TimeSpan PostgresCpuTime(int postmaster)
    {
        var total = TimeSpan.Zero;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var parent = int.Parse(File.ReadAllText($"{dir}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                if (pid == postmaster || parent == postmaster)
                    total += FleetLoad.CpuTime(pid);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return total;
    }
}
