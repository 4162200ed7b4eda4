using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;
using Tyto.Collection.Channel;

namespace Tyto.Agent.Tests;

/// <summary>Three real server nodes on one PostgreSQL with two real agents: one service whichever node answers, through the loss of a node and a rolling restart.</summary>
[SupportedOSPlatform("linux")]
public sealed class ClusterTests
{
    /// <summary>What the issue allows from a node's loss until its agents and singletons serve again.</summary>
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_node_serves_the_same_data_and_killing_the_node_of_an_agents_entity_and_the_singletons_loses_nothing_and_stores_nothing_twice()
    {
        await using var cluster = new ServerCluster();
        var since = DateTime.UtcNow.AddMinutes(-1);
        var (nodes, agents) = await StartAsync(cluster);
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);

        // A sample of an agent connected to node A reaches a stream on node C.
        using (var apiC = await ServerCluster.SignInAsync(c))
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        await using (var stream = await SseReader.OpenAsync(apiC, "/api/v1/stream?agent_id=agent-1", deadline.Token))
            Assert.Equal("agent-1", (await stream.NextSampleAsync(deadline.Token)).GetProperty("agentId").GetString());

        // A memory warning for every host, raised by the agents' entities against the thresholds singleton.
        using (var apiB = await ServerCluster.SignInAsync(b))
        {
            using (var change = await apiB.PostAsJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 0.01, critical = 99 } }))
                Assert.Equal(HttpStatusCode.OK, change.StatusCode);
            using (var user = await apiB.PostAsJsonAsync("/api/v1/users", new { username = "operator", password = "operator-password-1" }))
                Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        }
        string[] hosts = ["agent-1", "agent-2", .. nodes.Select(n => n.Name)];
        foreach (var host in hosts)
            await Poll.UntilAsync(async () => (await AlertsAsync(a, host, "warning")).Count == 1, $"a memory warning for {host}");

        // Every node answers the same users, agents, alerts and history (each node's alert board follows the journal within a second).
        var historyTo = DateTime.UtcNow.AddSeconds(-5);
        var answers = await Poll.ForAsync(
            async () =>
            {
                List<string> answers = [];
                foreach (var node in nodes)
                {
                    using var api = await ServerCluster.SignInAsync(node);
                    var users = await GetAsync(api, "/api/v1/users");
                    var listed = await GetAsync(api, "/api/v1/agents");
                    var alerts = await GetAsync(api, "/api/v1/alerts");
                    var history = await GetAsync(api, $"/api/v1/history?agent_id=agent-1&resolution=raw&from={since:O}&to={historyTo:O}");
                    answers.Add(string.Join('\n',
                        Names(users.GetProperty("users"), "username"), Names(listed.GetProperty("agents"), "id"),
                        Names(alerts.GetProperty("alerts"), "id"),
                        history.GetProperty("data").GetArrayLength(), Names(history.GetProperty("data"), "timestamp")));
                }
                return answers;
            },
            answers => answers.All(answer => answer == answers[0]), "every node answers the same");
        var lines = answers[0].Split('\n');
        Assert.Equal("admin,operator", lines[0]);
        Assert.Equal(string.Join(',', hosts.Order(StringComparer.Ordinal)), lines[1]);
        Assert.True(int.Parse(lines[3], CultureInfo.InvariantCulture) > 0, "agent-1 has history");

        // The singletons run on the oldest node, A; one of the agents' entities, there too (both started on A alone).
        var onA = await AgentOnAsync(nodes, a);
        var killed = Stopwatch.StartNew();
        await a.Process.KillAsync();

        // Within the failover time: the agent online through another node, the singletons answering, its entity evaluating alerts.
        using var api2 = await ServerCluster.SignInAsync(b);
        try
        {
            await Poll.UntilAsync(
                () => agents[onA].Output.Split("connected to").Length > 2,
                $"{onA} connected through another node", Failover - killed.Elapsed);
            await Poll.UntilAsync(
                async () =>
                {
                    using var change = await api2.PostAsJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 0.01, critical = 0.02 } });
                    return change.StatusCode == HttpStatusCode.OK;
                },
                "the thresholds singleton takes a change", Failover - killed.Elapsed);
            await Poll.UntilAsync(
                async () => (await AlertsAsync(b, onA, "critical")).Count == 1,
                $"a memory alert of {onA} raised to critical after the loss", Failover - killed.Elapsed);
            await Poll.ForAsync(
                () => GetAsync(api2, $"/api/v1/agents/{onA}"), agent => agent.GetProperty("status").GetString() == "online",
                $"{onA} online", Failover - killed.Elapsed);
            await ServerCluster.EntityNodeAsync([b, c], onA);
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message} ({killed.Elapsed.TotalSeconds:0.0} s after the kill)\nnode-b:\n{b.Process.Output}\nnode-c:\n{c.Process.Output}\n{onA}:\n{agents[onA].Output}");
        }

        await AssertEverySampleOnceAsync(cluster, b, agents[onA], onA, since);
    }

    [Fact]
    public async Task A_rolling_restart_of_every_node_while_agents_send_loses_no_sample_and_stores_none_twice()
    {
        await using var cluster = new ServerCluster();
        var since = DateTime.UtcNow.AddMinutes(-1);
        var (nodes, agents) = await StartAsync(cluster);

        foreach (var node in nodes)
        {
            Assert.Equal(0, await node.Process.StopAsync());
            await cluster.StartAsync(node, nodes);
            await ServerCluster.WaitUntilUpAsync(nodes);
        }

        foreach (var (agentId, agent) in agents)
            await AssertEverySampleOnceAsync(cluster, nodes[0], agent, agentId, since);
    }

    /// <summary>
    /// Starts nodes A, B and C, each seeding from all three, and two agents that try A first; the agents connect while A
    /// is alone, so that their entities start there.
    /// </summary>
    private static async Task<(ServerNode[] Nodes, Dictionary<string, TytoProcess> Agents)> StartAsync(ServerCluster cluster)
    {
        ServerNode[] nodes = [cluster.Node("node-a"), cluster.Node("node-b"), cluster.Node("node-c")];
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        await cluster.StartAsync(a, nodes);
        Dictionary<string, TytoProcess> agents = [];
        using (var api = await ServerCluster.SignInAsync(a))
        {
            foreach (var (agentId, servers) in (ValueTuple<string, ServerNode[]>[])[("agent-1", [a, b, c]), ("agent-2", [a, c, b])])
            {
                using var response = await api.PostAsJsonAsync("/api/v1/agents", new { id = agentId, name = agentId });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enrollment").GetProperty("token").GetString()!;
                agents[agentId] = await cluster.StartAgentAsync(agentId, token, servers);
            }
            foreach (var agent in agents.Values)
                await agent.WaitForOutputAsync($"connected to {a.AgentUrl}");
        }
        await Task.WhenAll(cluster.StartAsync(b, nodes), cluster.StartAsync(c, nodes));
        await ServerCluster.WaitUntilUpAsync(nodes);
        return (nodes, agents);
    }

    /// <summary>An agent whose entity runs on <paramref name="node"/>.</summary>
    private static async Task<string> AgentOnAsync(ServerNode[] nodes, ServerNode node)
    {
        foreach (var agentId in (string[])["agent-1", "agent-2"])
        {
            if (await ServerCluster.EntityNodeAsync(nodes, agentId) == node)
                return agentId;
        }
        Assert.Fail($"no agent's entity runs on {node.Name}");
        return null!;
    }

    /// <summary>The memory alerts of <paramref name="agentId"/> at <paramref name="level"/> on the board of <paramref name="node"/>.</summary>
    private static async Task<List<JsonElement>> AlertsAsync(ServerNode node, string agentId, string level)
    {
        using var api = await ServerCluster.SignInAsync(node);
        var board = await GetAsync(api, "/api/v1/alerts");
        return [.. board.GetProperty("alerts").EnumerateArray().Where(alert =>
            alert.GetProperty("agent_id").GetString() == agentId && alert.GetProperty("type").GetString() == "memory" && alert.GetProperty("level").GetString() == level)];
    }

    private static string Names(JsonElement array, string property) =>
        string.Join(',', array.EnumerateArray().Select(e => e.GetProperty(property).ToString()).Order(StringComparer.Ordinal));

    private static async Task<JsonElement> GetAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Waits until the agent's outbox is empty, stops it, then compares its outbox with the raw history <paramref name="node"/>
    /// serves: each sample it took is stored, none twice (as FleetTests does for one server).
    /// </summary>
    private static async Task AssertEverySampleOnceAsync(ServerCluster cluster, ServerNode node, TytoProcess agent, string agentId, DateTime since)
    {
        using var api = await ServerCluster.SignInAsync(node);
        await Poll.ForAsync(() => GetAsync(api, $"/api/v1/agents/{agentId}"), a => a.GetProperty("buffered").GetInt64() == 0, $"{agentId} done with its backlog", TimeSpan.FromSeconds(90));
        Assert.Equal(0, await agent.StopAsync());
        long taken;
        HashSet<DateTime> waiting;
        using (var outbox = Outbox.Open(Path.Combine(cluster.AgentDataDir(agentId), Outbox.FileName), long.MaxValue))
        {
            waiting = [.. outbox.Oldest(int.MaxValue).OfType<SampleFrame>().Select(s => s.Sample.Timestamp)];
            taken = outbox.SamplesTaken;
        }

        IReadOnlyList<DateTime> history = [];
        async Task<IReadOnlyList<DateTime>> ReadAsync()
        {
            var page = await GetAsync(api, $"/api/v1/history?agent_id={agentId}&resolution=raw&from={since:O}&to={DateTime.UtcNow.AddMinutes(1):O}");
            return [.. page.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("timestamp").GetDateTime().ToUniversalTime())];
        }
        try
        {
            await Poll.UntilAsync(async () => (history = await ReadAsync()).Count >= taken - waiting.Count, $"the history holds every acknowledged sample of {agentId}");
        }
        catch (TimeoutException)
        {
            var gaps = Enumerable.Range(1, Math.Max(0, history.Count - 1)).Where(i => history[i] - history[i - 1] > TimeSpan.FromSeconds(1.5)).Select(i => $"{history[i - 1]:HH:mm:ss.fff}..{history[i]:HH:mm:ss.fff}");
            Assert.Fail($"{taken} samples taken, {waiting.Count} unacknowledged, {history.Count} in history; gaps: {string.Join(", ", gaps)}\nagent:\n{agent.Output}");
        }
        Assert.Equal(history.Count, history.Distinct().Count());
        // A sample stored whose acknowledgement the stop overtook is still waiting, to be sent again and told apart then.
        Assert.Equal(taken - waiting.Count, history.Count(t => !waiting.Contains(t)));
    }
}
