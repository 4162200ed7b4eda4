using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;
using Tyto.Collection.Channel;

namespace Tyto.Agent.Tests;

/// <summary>A real server and real agents on loopback, as an operator runs them: enrollment, samples, commands, revocation, outages and crashes.</summary>
[SupportedOSPlatform("linux")]
public sealed class FleetTests
{
    [Fact]
    public async Task An_agent_enrolled_with_a_token_is_online_at_once_streams_and_answers_process_commands()
    {
        await using var fleet = await Fleet.StartAsync();
        var token = await fleet.RegisterAsync("edge-1");

        var agent = await fleet.StartAgentAsync("edge-1", token);
        await agent.WaitForOutputAsync("connected to");

        // Without a fingerprint given, the agent pins the CA the server printed.
        var printed = Regex.Match(fleet.Server.Output, "CA fingerprint (sha256:[0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(printed, File.ReadAllText(Path.Combine(fleet.AgentDataDir("edge-1"), "ca.fingerprint")));
        var online = await fleet.AgentWhenAsync("edge-1", a => a.GetProperty("status").GetString() == "online", "online");
        Assert.Equal(Environment.MachineName, online.GetProperty("hostname").GetString());
        Assert.Equal("edge-1", (await fleet.NextStreamSampleAsync("edge-1")).GetProperty("agentId").GetString());
        var since = DateTime.UtcNow.AddMinutes(-5);
        await Poll.UntilAsync(async () => (await fleet.RawHistoryAsync("edge-1", since)).Count > 0, "the agent's samples are in its history");

        using var sleeper = Process.Start("sleep", "300");
        try
        {
            var listed = await Poll.ForAsync(
                () => fleet.GetAsync("/api/v1/processes?agent_id=edge-1&limit=10000"),
                list => list.GetProperty("processes").EnumerateArray().Any(p => p.GetProperty("pid").GetInt32() == sleeper.Id),
                "the agent lists the sleeper");
            Assert.Equal("edge-1", listed.GetProperty("agent_id").GetString());
            var details = await fleet.GetAsync($"/api/v1/processes/{sleeper.Id}?agent_id=edge-1");
            Assert.Equal("sleep", details.GetProperty("name").GetString());

            await fleet.PostAsync($"/api/v1/processes/{sleeper.Id}/signal?agent_id=edge-1", new { signal = 15 });

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sleeper.WaitForExitAsync(exited.Token);
        }
        finally
        {
            if (!sleeper.HasExited)
                sleeper.Kill();
        }

        Assert.Equal(0, await agent.StopAsync());
        Assert.Contains("stopping", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_without_a_token_waits_for_approval_and_a_revoked_one_stops_sending()
    {
        await using var fleet = await Fleet.StartAsync();

        var agent = await fleet.StartAgentAsync("edge-2");
        await agent.WaitForOutputAsync("waiting for approval (agent id 'edge-2': approve it with POST /api/v1/agents/pending/edge-2/approve)");
        await Poll.ForAsync(
            () => fleet.GetAsync("/api/v1/agents/pending"),
            pending => pending.GetProperty("agents").EnumerateArray().Any(a => a.GetProperty("id").GetString() == "edge-2"),
            "the request is pending");

        await fleet.PostAsync("/api/v1/agents/pending/edge-2/approve");
        await agent.WaitForOutputAsync("connected to");
        await fleet.AgentWhenAsync("edge-2", a => a.GetProperty("status").GetString() == "online", "online");
        Assert.Equal("edge-2", (await fleet.NextStreamSampleAsync("edge-2")).GetProperty("agentId").GetString());

        await fleet.PostAsync("/api/v1/agents/edge-2/revoke");

        await agent.WaitForOutputAsync("revoked");
        Assert.Equal(AgentHost.RevokedExitCode, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await fleet.AgentWhenAsync("edge-2", a => a.GetProperty("status").GetString() == "revoked", "revoked");
    }

    [Fact]
    public async Task An_agent_pinned_to_another_ca_sends_nothing_to_the_server_and_exits()
    {
        await using var fleet = await Fleet.StartAsync();

        var agent = await fleet.StartAgentAsync("edge-5", await fleet.RegisterAsync("edge-5"), $"--Tyto:Agent:CaFingerprint=sha256:{new string('0', 64)}");

        Assert.Equal(AgentHost.RefusedExitCode, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("enrollment refused: CA_MISMATCH", agent.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fleet.AgentDataDir("edge-5"), "agent.crt")));
        var registered = await fleet.GetAsync("/api/v1/agents/edge-5");
        Assert.Equal(JsonValueKind.Null, registered.GetProperty("certificate").ValueKind);
    }

    [Fact]
    public async Task After_an_outage_the_backlog_arrives_every_sample_exactly_once_and_the_outbox_drains()
    {
        await using var fleet = await Fleet.StartAsync();
        var since = DateTime.UtcNow.AddMinutes(-1);
        var agent = await fleet.StartAgentAsync("edge-3", await fleet.RegisterAsync("edge-3"));
        await agent.WaitForOutputAsync("connected to");

        Assert.Equal(0, await fleet.Server.StopAsync());
        await agent.WaitForOutputAsync("buffering");
        // The outage itself: the agent keeps sampling every second meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(60));
        await fleet.StartServerAsync();

        await fleet.AgentWhenAsync("edge-3", a => a.GetProperty("status").GetString() == "online" && a.GetProperty("buffered").GetInt64() == 0, "online with an empty outbox");
        await AssertEverySampleOnceAsync(fleet, agent, "edge-3", since);
    }

    [Fact]
    public async Task An_agent_killed_while_it_sends_its_backlog_loses_nothing_and_sends_nothing_twice()
    {
        await using var fleet = await Fleet.StartAsync();
        var since = DateTime.UtcNow.AddMinutes(-1);
        var agent = await fleet.StartAgentAsync("edge-4", await fleet.RegisterAsync("edge-4"));
        await agent.WaitForOutputAsync("connected to");
        Assert.Equal(0, await fleet.Server.StopAsync());
        await agent.WaitForOutputAsync("buffering");
        // The outage itself: a backlog builds up.
        await Task.Delay(TimeSpan.FromSeconds(20));
        await fleet.StartServerAsync();

        // The agent's retries back off to one every 30 s during the outage, and the server takes its time to start.
        await Poll.UntilAsync(() => agent.Output.Split("connected to").Length > 2, "the agent connected again", TimeSpan.FromSeconds(90));
        await agent.KillAsync();
        var restarted = await fleet.StartAgentAsync("edge-4");
        await restarted.WaitForOutputAsync("connected to");

        await fleet.AgentWhenAsync("edge-4", a => a.GetProperty("status").GetString() == "online" && a.GetProperty("buffered").GetInt64() == 0, "online with an empty outbox");
        await AssertEverySampleOnceAsync(fleet, restarted, "edge-4", since);
    }

    [Fact]
    public async Task An_agents_file_log_reaches_the_search_and_the_live_stream_and_each_line_of_an_outage_arrives_once()
    {
        await using var fleet = await Fleet.StartAsync();
        var logs = fleet.Folder("edge-6-logs");
        var file = Path.Combine(logs, "app.log");
        File.WriteAllText(file, "");
        var agent = await fleet.StartAgentAsync("edge-6", await fleet.RegisterAsync("edge-6"), $"--Tyto:Logs:Files:0={logs}/*.log");
        await agent.WaitForOutputAsync("connected to");
        // The file is followed from where it ends when the agent first reads it: append until a line arrives.
        var attempt = 0;
        await Poll.UntilAsync(
            async () =>
            {
                File.AppendAllText(file, $"warming up {++attempt}\n");
                return (await fleet.LogsAsync("agent_id=edge-6&source=file")).Total > 0;
            },
            "the agent's file source reads the file");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using (var stream = await SseReader.OpenAsync(fleet.Api, "/api/v1/logs/stream?agent_id=edge-6&level=error", deadline.Token))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            File.AppendAllText(file, "INFO routine\nERROR disk on fire\n");
            var live = await stream.NextOfTypeAsync("log", deadline.Token);
            Assert.Equal(("edge-6", "file", file, "error", "ERROR disk on fire"),
                (live.GetProperty("agent_id").GetString(), live.GetProperty("source").GetString(), live.GetProperty("source_name").GetString(),
                    live.GetProperty("level").GetString(), live.GetProperty("message").GetString()));
        }
        var found = await Poll.ForAsync(() => fleet.LogsAsync("agent_id=edge-6&q=fire"), l => l.Total == 1, "the search finds the line");
        Assert.Equal(["ERROR disk on fire"], found.Messages);

        Assert.Equal(0, await fleet.Server.StopAsync());
        await agent.WaitForOutputAsync("buffering");
        string[] outage = [.. Enumerable.Range(1, 50).Select(i => $"while the server was away {i}")];
        File.AppendAllText(file, string.Join('\n', outage) + "\n");
        await fleet.StartServerAsync();

        var (messages, _) = await Poll.ForAsync(() => fleet.LogsAsync("agent_id=edge-6&q=away"), l => l.Total >= outage.Length, "the outage's lines arrive", TimeSpan.FromSeconds(90));
        Assert.Equal(outage, messages);
        await fleet.AgentWhenAsync("edge-6", a => a.GetProperty("buffered").GetInt64() == 0, "done with its backlog");
        Assert.Equal(outage.Length, (await fleet.LogsAsync("agent_id=edge-6&q=away")).Total);
    }

    /// <summary>Stops the agent, then compares its outbox with its history: each sample it took and had acknowledged is stored, none twice.</summary>
    private static async Task AssertEverySampleOnceAsync(Fleet fleet, TytoProcess agent, string agentId, DateTime since)
    {
        Assert.Equal(0, await agent.StopAsync());
        long taken, unacknowledged;
        HashSet<DateTime> waiting;
        using (var outbox = Outbox.Open(Path.Combine(fleet.AgentDataDir(agentId), Outbox.FileName), long.MaxValue))
        {
            waiting = [.. outbox.Oldest(int.MaxValue).OfType<SampleFrame>().Select(s => s.Sample.Timestamp)];
            (taken, unacknowledged) = (outbox.SamplesTaken, waiting.Count);
        }

        IReadOnlyList<DateTime> history = [];
        try
        {
            await Poll.UntilAsync(async () => (history = await fleet.RawHistoryAsync(agentId, since)).Count >= taken - unacknowledged, "the history holds every acknowledged sample");
        }
        catch (TimeoutException)
        {
            // What is missing says where the samples were lost: at the outage's start, end or in between.
            var gaps = Enumerable.Range(1, Math.Max(0, history.Count - 1)).Where(i => history[i] - history[i - 1] > TimeSpan.FromSeconds(1.5)).Select(i => $"{history[i - 1]:HH:mm:ss.fff}..{history[i]:HH:mm:ss.fff}");
            Assert.Fail($"{taken} samples taken, {unacknowledged} unacknowledged, {history.Count} in history; gaps: {string.Join(", ", gaps)}\nagent:\n{agent.Output}\nserver:\n{fleet.Server.Output}");
        }
        Assert.Equal(history.Count, history.Distinct().Count());
        // A sample stored whose acknowledgement the stop overtook is still waiting, to be sent again and told apart then.
        Assert.Equal(taken - unacknowledged, history.Count(t => !waiting.Contains(t)));
    }
}
