using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tyto.Agent.Tests;

/// <summary>A server node of a <see cref="ServerCluster"/>: its process, its ports, and the remoting address peers join it by.</summary>
public sealed record ServerNode(string Name, TytoProcess Process, int HttpPort, int ClusterPort)
{
    public string Address => $"akka.ssl.tcp://tyto@127.0.0.1:{ClusterPort}";

    /// <summary>The CA fingerprint the node printed for agents to pin.</summary>
    public string CaFingerprint => Regex.Match(Process.Output, "CA fingerprint (sha256:[0-9a-f]{64})").Groups[1].Value;
}

/// <summary>
/// Real server nodes on loopback, each with free HTTP, agent and cluster ports, a working directory of its own, Akka's
/// cluster log on the console, and the same cluster secret unless told otherwise; all killed and deleted on dispose.
/// Until PostgreSQL is there, nodes share one database by sharing the SQLite file's data dir.
/// </summary>
public sealed class ServerCluster : IAsyncDisposable
{
    public const string Secret = "cluster-test-secret-0123456789";
    public const string AdminPassword = "cluster-admin-password";

    private readonly string _root = Directory.CreateTempSubdirectory("tyto-cluster-").FullName;
    private readonly List<TytoProcess> _processes = [];

    /// <summary>The data dir of the shared database.</summary>
    public string SharedDataDir => Folder("shared");

    /// <summary>A folder of the cluster's own, deleted with it.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    /// <summary>
    /// Starts a node named <paramref name="name"/> (also its agent id) that joins <paramref name="seed"/>, or itself when
    /// null, on the shared database unless <paramref name="dataDir"/> is given, with <paramref name="secret"/>; waits until it serves.
    /// </summary>
    public async Task<ServerNode> StartNodeAsync(string name, ServerNode? seed, string? dataDir = null, string secret = Secret)
    {
        var node = await LaunchNodeAsync(name, seed, dataDir, secret);
        await node.Process.WaitForOutputAsync("Agents connect to");
        return node;
    }

    /// <summary>Starts a node as <see cref="StartNodeAsync"/> does, without waiting: one that cannot join never serves.</summary>
    public async Task<ServerNode> LaunchNodeAsync(string name, ServerNode? seed, string? dataDir = null, string secret = Secret)
    {
        var (httpPort, agentPort, clusterPort) = (TytoProcess.FreePort(), TytoProcess.FreePort(), TytoProcess.FreePort());
        var process = await TytoProcess.StartAsync(Folder(name),
        [
            "--urls", $"http://127.0.0.1:{httpPort}", $"--Tyto:DataDir={dataDir ?? SharedDataDir}", $"--Tyto:Auth:AdminPassword={AdminPassword}",
            $"--Tyto:Agents:Listen=https://127.0.0.1:{agentPort}", $"--Tyto:Agent:Id={name}",
            "--Tyto:Cluster:Hostname=127.0.0.1", $"--Tyto:Cluster:Port={clusterPort}",
            $"--Tyto:Cluster:Seeds:0={seed?.Address ?? $"akka.ssl.tcp://tyto@127.0.0.1:{clusterPort}"}",
            $"--Tyto:Cluster:Secret={secret}", "--Logging:LogLevel:Akka=Information",
        ]);
        _processes.Add(process);
        return new ServerNode(name, process, httpPort, clusterPort);
    }

    /// <summary>An API client of <paramref name="node"/>, signed in as admin.</summary>
    public static async Task<HttpClient> SignInAsync(ServerNode node)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        using var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = AdminPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
