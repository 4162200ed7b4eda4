using System.Net.Sockets;
using System.Text.Json.Nodes;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class DockerCollectorTests : IAsyncLifetime
{
    private const string DnsId = "2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c";
    private const string DevboxId = "41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475";
    private const string MongoId = "24e1475cc5ae7d57f483e9624a80676b2c4e08e4f5c4522e4fb35b056672bf56";

    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-docker-").FullName;
    private FakeDockerEngine _engine = null!;

    private string SocketPath => Path.Combine(_directory, "docker.sock");

    public async Task InitializeAsync()
    {
        _engine = await FakeDockerEngine.StartAsync(SocketPath);
        _engine.Stats[DnsId] = FakeDockerEngine.Recorded("stats-devbox_dns.json");
        _engine.Stats[DevboxId] = FakeDockerEngine.Recorded("stats-devbox.json");
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Recorded_engine_gives_every_container_with_cpu_and_memory_as_docker_stats_shows_them()
    {
        using var docker = Collector();
        var section = await CollectAsync(docker);

        Assert.True(section.Available);
        Assert.Null(section.Reason);
        Assert.Equal(
            [
                // cgroup v1: usage less total_inactive_file (0 here); CPU from the engine's own precpu on a first reading.
                new ContainerSample("2d1ab9546a4f", "devbox_dns", "ghcr.io/darthmikke/docker-dnsmasq:1.2.1", "running", 0.09, 647168),
                // cgroup v2: 175,489,024 used less 75,161,600 inactive_file; 635,000 ns of 8,020,000,000 ns on 8 CPUs.
                new ContainerSample("41833a61eecb", "devbox", "gitea.ts.millim.no/millim/webhost:2.2.0-a7", "running", 0.06, 100327424),
                new ContainerSample("24e1475cc5ae", "ozwillo-mongo-2", "mdutoo/ozwillo-mongo", "exited", 0, 0),
            ],
            section.Containers);
        // One-shot stats, and none for a container that is not running.
        Assert.Contains($"/containers/{DevboxId}/stats?stream=false&one-shot=true", _engine.Requests);
        Assert.DoesNotContain(_engine.Requests, r => r.Contains(MongoId, StringComparison.Ordinal));
        Assert.Contains("/containers/json?all=1", _engine.Requests);
    }

    [Fact]
    public async Task Cpu_comes_from_the_previous_reading_of_the_same_container()
    {
        using var docker = Collector();
        await CollectAsync(docker);

        // One-shot answers carry no precpu: 4 s of the container's CPU over 16 s of all 8 CPUs' time is 200 %.
        _engine.Stats[DevboxId] = _ => Task.FromResult(FakeDockerEngine.Json(Later("stats-devbox.json", containerNs: 4_000_000_000, systemNs: 16_000_000_000)));
        var section = await CollectAsync(docker);
        Assert.Equal(200, section.Containers!.Single(c => c.Name == "devbox").Cpu);
    }

    [Fact]
    public async Task A_container_that_stops_or_goes_between_list_and_stats_is_handled()
    {
        using var docker = Collector();
        // Recorded from an engine asked for the stats of a container that had just stopped: zeros and empty memory.
        _engine.Stats[DevboxId] = FakeDockerEngine.Recorded("stats-exited.json");
        _engine.Stats.TryRemove(DnsId, out _);

        var section = await CollectAsync(docker);

        Assert.True(section.Available);
        var devbox = Assert.Single(section.Containers!, c => c.Name == "devbox");
        Assert.Equal((0.0, 0L), (devbox.Cpu, devbox.Memory));
        // Removed: the engine answered 404, so it no longer exists.
        Assert.DoesNotContain(section.Containers!, c => c.Name == "devbox_dns");
        Assert.Equal(2, section.Containers!.Count);
    }

    [Fact]
    public async Task Stats_run_a_bounded_number_at_a_time_and_a_hung_one_does_not_hold_the_round()
    {
        var list = JsonNode.Parse(FakeDockerEngine.Recording("containers.json"))!.AsArray();
        var template = list.First(c => (string?)c!["Id"] == DevboxId)!;
        for (var i = 0; i < 20; i++)
        {
            var id = $"{i:x2}{DevboxId[2..]}";
            var copy = template.DeepClone();
            copy["Id"] = id;
            copy["Names"] = new JsonArray($"/web-{i}");
            list.Add(copy);
            _engine.Stats[id] = i == 7 ? FakeDockerEngine.Hang : FakeDockerEngine.Recorded("stats-devbox.json");
        }
        _engine.Containers = list.ToJsonString();

        using var docker = new DockerCollector(SocketPath, TimeSpan.FromMilliseconds(500), concurrency: 4);
        var section = await CollectAsync(docker);

        Assert.Equal(23, section.Containers!.Count);
        Assert.InRange(_engine.MaxInFlight, 2, 4);
        var hung = section.Containers!.Single(c => c.Name == "web-7");
        Assert.Equal(("running", 0.0, 0L), (hung.Status, hung.Cpu, hung.Memory));
        Assert.Equal(0.06, section.Containers!.Single(c => c.Name == "web-8").Cpu);
    }

    [Fact]
    public async Task An_absent_socket_is_unavailable_until_an_engine_appears()
    {
        var socket = Path.Combine(_directory, "later.sock");
        using var docker = new DockerCollector(socket, TimeSpan.FromSeconds(5), concurrency: 4);

        var before = await CollectAsync(docker);
        Assert.False(before.Available);
        Assert.Null(before.Containers);
        Assert.Equal($"No Docker socket at {socket}", before.Reason);

        await using var engine = await FakeDockerEngine.StartAsync(socket);
        engine.Stats[DevboxId] = FakeDockerEngine.Recorded("stats-devbox.json");
        engine.Stats[DnsId] = FakeDockerEngine.Recorded("stats-devbox_dns.json");
        var after = await CollectAsync(docker);
        Assert.True(after.Available);
        Assert.Equal(3, after.Containers!.Count);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_or_a_garbled_answer_is_unavailable_with_the_reason()
    {
        var stale = Path.Combine(_directory, "stale.sock");
        // Bound but not listening, as the socket of an engine that has stopped: connecting is refused.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(stale));
        using var docker = new DockerCollector(stale, TimeSpan.FromSeconds(5), concurrency: 4);
        var refused = await CollectAsync(docker);
        Assert.False(refused.Available);
        Assert.True(refused.Reason!.StartsWith($"The Docker engine on {stale} cannot be read", StringComparison.Ordinal), refused.Reason);

        _engine.Containers = "<html>502 Bad Gateway</html>";
        using var garbled = Collector();
        var unreadable = await CollectAsync(garbled);
        Assert.False(unreadable.Available);
        Assert.Contains("sent a container list Tyto cannot read", unreadable.Reason);
    }

    [Fact]
    public void Memory_is_usage_less_inactive_file_for_cgroup_v1_and_v2()
    {
        Assert.Equal(700, DockerCollector.MemoryUsage(new DockerCollector.MemoryStats(1000, new Dictionary<string, ulong> { ["total_inactive_file"] = 300, ["inactive_file"] = 100 })));
        Assert.Equal(900, DockerCollector.MemoryUsage(new DockerCollector.MemoryStats(1000, new Dictionary<string, ulong> { ["inactive_file"] = 100 })));
        Assert.Equal(1000, DockerCollector.MemoryUsage(new DockerCollector.MemoryStats(1000, new Dictionary<string, ulong> { ["inactive_file"] = 5000 })));
        Assert.Equal(1000, DockerCollector.MemoryUsage(new DockerCollector.MemoryStats(1000, null)));
    }

    private DockerCollector Collector() => new(SocketPath, TimeSpan.FromSeconds(5), concurrency: 4);

    private static async Task<DockerSection> CollectAsync(DockerCollector docker) =>
        (DockerSection)await docker.CollectAsync(DateTime.UtcNow, CancellationToken.None);

    /// <summary>A recorded stats answer moved on in time, as a one-shot answer (no precpu) would come a round later.</summary>
    private static string Later(string file, ulong containerNs, ulong systemNs)
    {
        var stats = JsonNode.Parse(FakeDockerEngine.Recording(file))!;
        var cpu = stats["cpu_stats"]!;
        cpu["cpu_usage"]!["total_usage"] = (ulong)cpu["cpu_usage"]!["total_usage"]! + containerNs;
        cpu["system_cpu_usage"] = (ulong)cpu["system_cpu_usage"]! + systemNs;
        stats["precpu_stats"] = new JsonObject();
        return stats.ToJsonString();
    }
}
