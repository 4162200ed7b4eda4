using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tyto.Collection;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class StreamTests(SharedHost shared)
{
    private static CancellationToken Deadline(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Stream_delivers_a_complete_sample_that_matches_the_host()
    {
        await using var stream = await SseReader.OpenAsync(shared.Admin, "/api/v1/stream", Deadline());
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var sample = await stream.NextSampleAsync(Deadline());
        foreach (var section in new[] { "timestamp", "system", "cpu", "memory", "disk", "network", "processes", "temperature", "gpu", "docker", "systemd" })
            Assert.True(sample.TryGetProperty(section, out _), $"sample lacks {section}");
        Assert.EndsWith("Z", sample.GetProperty("timestamp").GetString(), StringComparison.Ordinal);

        var system = sample.GetProperty("system");
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), system.GetProperty("hostname").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), system.GetProperty("kernel").GetString());
        Assert.True(system.GetProperty("uptime").GetInt64() > 0);
        Assert.Equal(SystemCollector.Architecture(RuntimeInformation.OSArchitecture), system.GetProperty("architecture").GetString());

        var cpu = sample.GetProperty("cpu");
        var cores = cpu.GetProperty("cores").EnumerateArray().ToList();
        Assert.Equal(Environment.ProcessorCount, cores.Count);
        Assert.All(cores, c => Assert.InRange(c.GetProperty("usage").GetDouble(), 0, 100));
        Assert.All(cores, c => Assert.True(c.GetProperty("frequency").GetInt32() > 0));
        Assert.InRange(cpu.GetProperty("totalUsage").GetDouble(), 0, 100);
        Assert.True(cpu.GetProperty("loadAverage").TryGetProperty("fifteen", out _));

        var memory = sample.GetProperty("memory");
        Assert.Equal(MemTotalBytes(), memory.GetProperty("total").GetInt64());
        Assert.InRange(memory.GetProperty("used").GetInt64(), 1, memory.GetProperty("total").GetInt64());

        var root = sample.GetProperty("disk").GetProperty("mounts").EnumerateArray().Single(m => m.GetProperty("mountpoint").GetString() == "/");
        var drive = new DriveInfo("/");
        Assert.Equal(drive.TotalSize, root.GetProperty("total").GetInt64());
        Assert.NotEmpty(sample.GetProperty("disk").GetProperty("io").EnumerateArray());

        var interfaces = sample.GetProperty("network").GetProperty("interfaces").EnumerateArray().ToList();
        var lo = interfaces.Single(i => i.GetProperty("name").GetString() == "lo");
        Assert.Equal("127.0.0.1", lo.GetProperty("ipv4").GetString());
        Assert.True(lo.GetProperty("rxBytes").GetInt64() > 0, "this very test talks over loopback");
        Assert.True(sample.GetProperty("network").GetProperty("connectionCount").GetInt32() >= 1, "this very stream is an established connection");

        var processes = sample.GetProperty("processes");
        Assert.True(processes.GetProperty("total").GetInt32() > 5);
        Assert.Equal(10, processes.GetProperty("topByMemory").GetArrayLength());
        Assert.Contains(processes.GetProperty("topByMemory").EnumerateArray(), p => p.GetProperty("pid").GetInt32() == Environment.ProcessId);
        var top = processes.GetProperty("topByCpu")[0];
        foreach (var field in new[] { "pid", "name", "user", "cpu", "memory" })
            Assert.True(top.TryGetProperty(field, out _), $"process lacks {field}");

        Assert.Equal(JsonValueKind.Array, sample.GetProperty("temperature").GetProperty("sensors").ValueKind);
        // This machine has no GPU, no Docker engine and no systemd as PID 1: each section says so, and why.
        var gpu = sample.GetProperty("gpu");
        Assert.False(gpu.GetProperty("available").GetBoolean());
        Assert.Contains("nvidia-smi", gpu.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var docker = sample.GetProperty("docker");
        Assert.False(docker.GetProperty("available").GetBoolean());
        Assert.Equal("No Docker socket at /var/run/docker.sock", docker.GetProperty("reason").GetString());
        var systemd = sample.GetProperty("systemd");
        Assert.False(systemd.GetProperty("available").GetBoolean());
        Assert.Equal("systemd is not the init system of this host", systemd.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Browsers_pass_the_token_in_the_query_and_may_filter_by_agent()
    {
        var token = await shared.Host.TokenAsync();
        await using var stream = await SseReader.OpenAsync(shared.Host.Client, $"/api/v1/stream?agent_id=local&access_token={token}", Deadline());
        var sample = await stream.NextSampleAsync(Deadline());
        Assert.Equal("local", sample.GetProperty("agentId").GetString());
    }

    [Fact]
    public async Task Unknown_agent_is_404()
    {
        using var response = await shared.Admin.GetAsync("/api/v1/stream?agent_id=no-such-agent");
        await response.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    [Fact]
    public async Task Stream_announces_its_retry_interval()
    {
        using var response = await shared.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/stream"), HttpCompletionOption.ResponseHeadersRead, Deadline());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Deadline()));
        Assert.Equal("retry: 3000", await reader.ReadLineAsync(Deadline()));
    }

    private static long MemTotalBytes()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
