using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Tyto.Actors.Tests;
using Tyto.Actors.Tests.Collection;

namespace Tyto.Api.Tests;

/// <summary>
/// The real host reading GPUs from a fake nvidia-smi and containers from a fake Docker engine, both replaying
/// recorded output: what they report reaches the current sample and <c>/metrics</c>, and the child goes with the host.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CollectorSourcesTests : IAsyncLifetime
{
    private const string DevboxId = "41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475";
    private const string DnsId = "2d1ab9546a4fe61e23ac62ed422dfa7ac3e410c68b2f3262471c6e40ca68045c";

    private readonly FakeNvidiaSmi _nvidia = new FakeNvidiaSmi().Install("two-gpus.csv");
    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-sources-").FullName;
    private FakeDockerEngine _engine = null!;
    private TytoHost _host = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeDockerEngine.StartAsync(Path.Combine(_directory, "docker.sock"));
        _engine.Stats[DevboxId] = FakeDockerEngine.Recorded("stats-devbox.json");
        _engine.Stats[DnsId] = FakeDockerEngine.Recorded("stats-devbox_dns.json");
        _host = await TytoHost.StartAsync(null, $"--Tyto:Gpu:NvidiaSmi={_nvidia.Executable}", $"--Tyto:Docker:Socket={_engine.Socket}");
        _admin = await _host.LoginAsync();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(_host.DataDir);
        await _engine.DisposeAsync();
        _nvidia.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Gpus_and_containers_reach_the_sample_and_the_scrape_and_nvidia_smi_stops_with_the_host()
    {
        var sample = await SampleUntilAsync(s => s.GetProperty("gpu").GetProperty("available").GetBoolean() && s.GetProperty("docker").GetProperty("available").GetBoolean());

        var gpus = sample.GetProperty("gpu").GetProperty("gpus").EnumerateArray().ToList();
        Assert.Equal(2, gpus.Count);
        Assert.Equal("GeForce GTX 1080 Ti", gpus[0].GetProperty("name").GetString());
        Assert.Equal("nvidia", gpus[0].GetProperty("vendor").GetString());
        Assert.Equal(36, gpus[0].GetProperty("utilization").GetDouble());
        Assert.Equal(2856L * 1024 * 1024, gpus[0].GetProperty("memoryUsed").GetInt64());
        Assert.Equal(106.56, gpus[0].GetProperty("powerWatts").GetDouble());
        Assert.False(sample.GetProperty("gpu").TryGetProperty("reason", out _));

        var containers = sample.GetProperty("docker").GetProperty("containers").EnumerateArray().ToList();
        Assert.Equal(["devbox_dns", "devbox", "ozwillo-mongo-2"], containers.Select(c => c.GetProperty("name").GetString()));
        var devbox = containers[1];
        Assert.Equal("41833a61eecb", devbox.GetProperty("id").GetString());
        Assert.Equal("running", devbox.GetProperty("status").GetString());
        Assert.Equal(100327424, devbox.GetProperty("memory").GetInt64());
        Assert.Equal("exited", containers[2].GetProperty("status").GetString());

        using var scrape = await _admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var metrics = Exposition.Parse(await scrape.Content.ReadAsStringAsync());
        Assert.Contains(metrics, m => m.Name == "tyto_gpu_utilization_percent" && m.Labels.Contains("name=\"GeForce GTX 1080 Ti\"", StringComparison.Ordinal) && m.Value == 36);
        Assert.Contains(metrics, m => m.Name == "tyto_container_memory_bytes" && m.Labels.Contains("name=\"devbox\"", StringComparison.Ordinal) && m.Value == 100327424);

        var child = Assert.Single(_nvidia.Starts).Split(' ')[0];
        Assert.True(Directory.Exists($"/proc/{child}"));
        await _host.App.StopAsync();
        await Poll.UntilAsync(() => !Directory.Exists($"/proc/{child}"), $"nvidia-smi (pid {child}) ended with the host", TimeSpan.FromSeconds(10));
    }

    private Task<JsonElement> SampleUntilAsync(Func<JsonElement, bool> done) =>
        Poll.ForAsync(
            async () =>
            {
                using var response = await _admin.GetAsync("/api/v1/export/metrics?format=json");
                return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync(HttpStatusCode.OK) : default;
            },
            sample => sample.ValueKind == JsonValueKind.Object && done(sample),
            "GPUs and containers reached the sample",
            TimeSpan.FromSeconds(30));
}
