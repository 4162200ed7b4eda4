using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Tyto.Actors.Tests;
using Tyto.Collection.Channel;

namespace Tyto.Agent.Tests;

/// <summary>The agent process on its own, its server out of reach: what it loads, what it keeps, what it prints.</summary>
[SupportedOSPlatform("linux")]
public sealed class AgentProcessTests : IDisposable
{
    /// <summary>What no line of a clean start and stop may contain: log levels, exceptions, stack frames.</summary>
    private static readonly string[] Noise = ["warn", "fail", "error", "crit", "exception", "   at "];

    private readonly string _dataDir = Directory.CreateTempSubdirectory("tyto-agent-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task The_agent_loads_no_cluster_persistence_sql_or_kestrel_assembly()
    {
        TestCertificates.Enroll(_dataDir, "edge-1");
        await using var agent = await StartAgentAsync();
        await agent.WaitForOutputAsync("buffering");
        await Poll.UntilAsync(SampleCommitted, "the outbox committed a sample");

        var loaded = agent.LoadedAssemblies();

        Assert.Contains("Akka.dll", loaded);
        Assert.Contains("Akka.Streams.dll", loaded);
        Assert.Contains("LiteDB.dll", loaded);
        Assert.Contains("Tyto.Agent.dll", loaded);
        string[] server = ["Akka.Cluster", "Akka.Persistence", "Akka.Remote", "linq2db", "Microsoft.Data.Sqlite", "Microsoft.AspNetCore", "Tyto.Actors", "Tyto.Api"];
        var forbidden = loaded.Where(a => server.Any(s => a.StartsWith(s, StringComparison.Ordinal))).ToList();
        Assert.True(forbidden.Count == 0, $"The agent loaded {string.Join(", ", forbidden)}");
    }

    [Fact]
    public async Task Unreachable_it_buffers_samples_in_the_outbox_and_sigterm_stops_it_cleanly()
    {
        TestCertificates.Enroll(_dataDir, "edge-1");
        await using var agent = await StartAgentAsync();
        await agent.WaitForOutputAsync("buffering");
        await Poll.UntilAsync(SampleCommitted, "the outbox committed a sample");

        Assert.Equal(0, await agent.StopAsync());

        var output = agent.Output;
        Assert.Matches(new Regex(@"buffering \d+ samples and log chunks \(server unreachable"), output);
        Assert.Contains("stopping", output, StringComparison.Ordinal);
        var noisy = output.Split('\n').Where(l => Noise.Any(n => l.Contains(n, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(noisy.Count == 0, $"A clean start and stop printed:\n{output}");
        using var outbox = Outbox.Open(Path.Combine(_dataDir, Outbox.FileName), long.MaxValue);
        var held = outbox.Oldest(1000);
        Assert.NotEmpty(held);
        Assert.Equal(Enumerable.Range(0, held.Count).Select(i => held[0].Seq + i), held.Select(s => s.Seq));
        Assert.All(held.OfType<SampleFrame>(), s => Assert.Equal("edge-1", s.Sample.AgentId));
    }

    [Fact]
    public async Task Without_a_certificate_or_a_server_that_answers_it_keeps_trying_to_enroll_and_stops_on_sigterm()
    {
        await using var agent = await StartAgentAsync();
        await agent.WaitForOutputAsync("server unreachable");

        Assert.Equal(0, await agent.StopAsync());
        Assert.Contains("stopping", agent.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dataDir, Outbox.FileName)));
    }

    private const int LiteDbPage = 8192;

    private Task<TytoProcess> StartAgentAsync() => TytoProcess.StartAsync(_dataDir,
    [
        "agent", $"--Tyto:DataDir={_dataDir}", "--Tyto:Agent:Id=edge-1", $"--Tyto:Agent:Server:0=https://127.0.0.1:{TytoProcess.FreePort()}",
        "--Tyto:Collection:Interval=1",
    ]);

    /// <summary>LiteDB writes each commit to its log file first: the agent holds the outbox open, its log shows it growing.</summary>
    /// <summary>
    /// LiteDB's log holds committed pages until a checkpoint. Opening a new outbox commits one (its header, setting the
    /// checkpoint size); a sample adds its own.
    /// </summary>
    private bool SampleCommitted() => new FileInfo(Path.Combine(_dataDir, "outbox-log.db")) is { Exists: true, Length: > LiteDbPage };
}
