using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tyto.Actors.Tests;

namespace Tyto.Agent.Tests;

/// <summary>
/// A server node of a <see cref="ServerCluster"/>: its ports and working directory, fixed for its life, and the process
/// of its current run; the remoting address peers join it by.
/// </summary>
public sealed class ServerNode(string name, string directory)
{
    public string Name { get; } = name;

    public string Directory { get; } = directory;

    public int HttpPort { get; } = TytoProcess.FreePort();

    public int AgentPort { get; } = TytoProcess.FreePort();

    public int ClusterPort { get; } = TytoProcess.FreePort();

    /// <summary>The process of the node's latest start.</summary>
    public TytoProcess Process { get; internal set; } = null!;

    public string Address => $"akka.ssl.tcp://tyto@127.0.0.1:{ClusterPort}";

    public string AgentUrl => $"https://127.0.0.1:{AgentPort}";

    /// <summary>The CA fingerprint the node printed for agents to pin.</summary>
    public string CaFingerprint => Regex.Match(Process.Output, "CA fingerprint (sha256:[0-9a-f]{64})").Groups[1].Value;
}

/// <summary>
/// Real server nodes on loopback and one PostgreSQL database of their own, each node with free HTTP, agent and cluster
/// ports, a data dir of its own, Akka's cluster log on the console, and the same cluster secret unless told otherwise;
/// real agents beside them. All killed, the databases dropped and the folders deleted on dispose.
/// </summary>
public sealed class ServerCluster : IAsyncDisposable
{
    public const string Secret = "cluster-test-secret-0123456789";
    public const string AdminPassword = "cluster-admin-password";

    private readonly string _root = Directory.CreateTempSubdirectory("tyto-cluster-").FullName;
    private readonly List<TytoProcess> _processes = [];
    private readonly List<PostgresDatabase> _databases = [PostgresServer.CreateDatabase()];

    /// <summary>The connection string of the database the nodes share.</summary>
    public string SharedDatabase => _databases[0].ConnectionString;

    /// <summary>A folder of the cluster's own, deleted with it.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    /// <summary>Another empty database, dropped with the cluster; its connection string.</summary>
    public string NewDatabase()
    {
        var database = PostgresServer.CreateDatabase();
        _databases.Add(database);
        return database.ConnectionString;
    }

    /// <summary>A node named <paramref name="name"/> (also its agent id), not started yet: its ports are known, so that nodes can name each other as seeds.</summary>
    public ServerNode Node(string name) => new(name, Folder(name));

    /// <summary>
    /// Starts a node named <paramref name="name"/> that joins <paramref name="seed"/>, or itself when null, on the
    /// shared database unless <paramref name="database"/> is given, with <paramref name="secret"/>; waits until it serves.
    /// </summary>
    public async Task<ServerNode> StartNodeAsync(string name, ServerNode? seed, string? database = null, string secret = Secret)
    {
        var node = Node(name);
        await StartAsync(node, seed is null ? [node] : [seed], database, secret);
        return node;
    }

    /// <summary>Starts <paramref name="node"/> (again, on the same ports and data dir) with <paramref name="seeds"/>, and waits until it serves.</summary>
    public async Task StartAsync(ServerNode node, IReadOnlyList<ServerNode> seeds, string? database = null, string secret = Secret)
    {
        await LaunchAsync(node, seeds, database, secret);
        await node.Process.WaitForOutputAsync("Agents connect to", TimeSpan.FromSeconds(120));
    }

    /// <summary>Starts <paramref name="node"/> as <see cref="StartAsync"/> does, without waiting: one that cannot join never serves.</summary>
    public async Task LaunchAsync(ServerNode node, IReadOnlyList<ServerNode> seeds, string? database = null, string secret = Secret)
    {
        List<string> args =
        [
            "--urls", $"http://127.0.0.1:{node.HttpPort}", $"--Tyto:DataDir={node.Directory}", $"--Tyto:Auth:AdminPassword={AdminPassword}",
            "--Tyto:Database:Provider=postgres", $"--Tyto:Database:ConnectionString={database ?? SharedDatabase}",
            $"--Tyto:Agents:Listen={node.AgentUrl}", $"--Tyto:Agent:Id={node.Name}", "--Tyto:Collection:Interval=1", "--Tyto:Alerts:For=00:00:02",
            "--Tyto:Cluster:Hostname=127.0.0.1", $"--Tyto:Cluster:Port={node.ClusterPort}",
            $"--Tyto:Cluster:Secret={secret}", "--Logging:LogLevel:Akka=Information",
        ];
        args.AddRange(seeds.Select((seed, i) => $"--Tyto:Cluster:Seeds:{i}={seed.Address}"));
        node.Process = await TytoProcess.StartAsync(node.Directory, args);
        _processes.Add(node.Process);
    }

    /// <summary>Waits until each of <paramref name="nodes"/> sees exactly them as members, all up and reachable.</summary>
    public static Task WaitUntilUpAsync(IReadOnlyList<ServerNode> nodes, TimeSpan? timeout = null)
    {
        var expected = nodes.Select(n => n.Address).Order(StringComparer.Ordinal).ToList();
        return Poll.UntilAsync(
            async () =>
            {
                foreach (var node in nodes)
                {
                    var members = (await HealthAsync(node)).GetProperty("cluster").GetProperty("members").EnumerateArray().ToList();
                    if (!members.All(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean())
                        || !members.Select(m => m.GetProperty("node").GetString()!).Order(StringComparer.Ordinal).SequenceEqual(expected))
                        return false;
                }
                return true;
            },
            $"{string.Join(", ", nodes.Select(n => n.Name))} each see all of them up", timeout ?? TimeSpan.FromSeconds(120));
    }

    /// <summary>The node of <paramref name="nodes"/> that runs <paramref name="agentId"/>'s entity, as each node's <c>/metrics</c> says; waits until one does.</summary>
    public static async Task<ServerNode> EntityNodeAsync(IReadOnlyList<ServerNode> nodes, string agentId)
    {
        ServerNode? host = null;
        await Poll.UntilAsync(
            async () =>
            {
                List<ServerNode> hosts = [];
                foreach (var node in nodes)
                {
                    using var api = await SignInAsync(node);
                    var metrics = await api.GetStringAsync("/metrics");
                    if (metrics.Contains($"tyto_cluster_local_agent_entity{{agent_id=\"{agentId}\"}} 1\n", StringComparison.Ordinal))
                        hosts.Add(node);
                }
                host = hosts.Count == 1 ? hosts[0] : null;
                return host is not null;
            },
            $"one node runs the entity of '{agentId}'");
        return host!;
    }

    /// <summary>An API client of <paramref name="node"/>, signed in as admin.</summary>
    public static async Task<HttpClient> SignInAsync(ServerNode node)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        await api.SignInAsAdminAsync(AdminPassword);
        return api;
    }

    public string AgentDataDir(string agentId) => Path.Combine(_root, "agents", agentId);

    /// <summary>Starts an agent collecting every second that enrolls with <paramref name="token"/> and pins the cluster's CA, trying <paramref name="servers"/> in turn.</summary>
    public async Task<TytoProcess> StartAgentAsync(string agentId, string token, IReadOnlyList<ServerNode> servers)
    {
        var dataDir = Directory.CreateDirectory(AgentDataDir(agentId)).FullName;
        var tokenFile = Path.Combine(_root, $"{agentId}.token");
        await File.WriteAllTextAsync(tokenFile, token);
        List<string> args =
        [
            "agent", $"--Tyto:DataDir={dataDir}", $"--Tyto:Agent:Id={agentId}", "--Tyto:Collection:Interval=1",
            $"--Tyto:Agent:EnrollmentTokenFile={tokenFile}", $"--Tyto:Agent:CaFingerprint={servers[0].CaFingerprint}",
        ];
        args.AddRange(servers.Select((server, i) => $"--Tyto:Agent:Server:{i}={server.AgentUrl}"));
        var process = await TytoProcess.StartAsync(dataDir, args);
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        foreach (var database in _databases)
            database.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static async Task<JsonElement> HealthAsync(ServerNode node)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await client.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{node.HttpPort}/health");
        }
        catch (HttpRequestException)
        {
            // A node still starting serves nothing yet.
            return JsonSerializer.Deserialize<JsonElement>("""{"cluster":{"members":[]}}""");
        }
    }
}
