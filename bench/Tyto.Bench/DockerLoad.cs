using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tyto.Collection;

namespace Tyto.Bench;

/// <summary>
/// The cost of collecting from a Docker engine with many running containers: a fake engine in a child process
/// (so its work is not counted) answers the list and one-shot stats built from a stats answer recorded from a real
/// engine; this process runs collection cycles and reports its own CPU time and the wall time per cycle.
/// </summary>
public static class DockerLoad
{
    private const int WarmUpCycles = 20;

    public static async Task<int> RunAsync(int containers, int cycles)
    {
        var directory = Directory.CreateTempSubdirectory("tyto-bench-docker-").FullName;
        var socket = Path.Combine(directory, "docker.sock");
        using var engine = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, ["docker-engine", socket, containers.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("The fake engine did not start");
        try
        {
            while (!File.Exists(socket))
                await Task.Delay(100);

            var options = new TytoOptions();
            options.Docker.Socket = socket;
            var all = HostMonitorActor.CollectorsFor(options, TimeProvider.System);
            var docker = all.OfType<DockerCollector>().Single();
            Console.WriteLine($"Fake engine: {containers} running containers; {cycles} cycles after {WarmUpCycles} warm-up cycles");
            await MeasureAsync("docker collector alone", [docker], cycles);
            await MeasureAsync("every collector", all, cycles);
            foreach (var collector in all.OfType<IDisposable>())
                collector.Dispose();
            return 0;
        }
        finally
        {
            engine.Kill();
            await engine.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Serves <c>/containers/json</c> and one-shot stats for <paramref name="containers"/> running containers.</summary>
    public static async Task<int> ServeEngineAsync(string socket, int containers)
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "stats-devbox.json")))!;
        template["precpu_stats"] = new JsonObject();
        var ids = Enumerable.Range(0, containers).Select(i => $"{i:x12}{new string('a', 52)}").ToList();
        var list = new JsonArray(ids.Select((id, i) => (JsonNode)new JsonObject
        {
            ["Id"] = id,
            ["Names"] = new JsonArray($"/web-{i}"),
            ["Image"] = "nginx:1.27",
            ["State"] = "running",
            ["Status"] = "Up 2 hours",
        }).ToArray()).ToJsonString();
        var calls = 0L;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socket));
        var app = builder.Build();
        app.MapGet("/containers/json", () => Results.Text(list, "application/json"));
        app.MapGet("/containers/{id}/stats", (string id) =>
        {
            var n = (ulong)Interlocked.Increment(ref calls);
            var stats = template.DeepClone();
            stats["id"] = id;
            stats["cpu_stats"]!["cpu_usage"]!["total_usage"] = 105_675_152_000UL + (n * 50_000_000);
            stats["cpu_stats"]!["system_cpu_usage"] = 964_268_510_000_000UL + (n * 8_000_000_000);
            return Results.Text(stats.ToJsonString(), "application/json");
        });
        await app.RunAsync();
        return 0;
    }

    private static async Task MeasureAsync(string label, IReadOnlyList<ICollector> collectors, int cycles)
    {
        var at = DateTime.UtcNow;
        for (var i = 0; i < WarmUpCycles; i++)
            await CycleAsync(collectors, at = at.AddSeconds(1));

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var walls = new List<double>(cycles);
        var watch = new Stopwatch();
        for (var i = 0; i < cycles; i++)
        {
            watch.Restart();
            await CycleAsync(collectors, at = at.AddSeconds(1));
            walls.Add(watch.Elapsed.TotalMilliseconds);
        }
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / cycles;
        walls.Sort();
        Console.WriteLine(
            $"{label}: CPU {cpu:0.00} ms per cycle; wall median {walls[walls.Count / 2]:0.00} ms, p99 {walls[(int)(walls.Count * 0.99)]:0.00} ms");
    }

    private static async Task CycleAsync(IReadOnlyList<ICollector> collectors, DateTime at)
    {
        foreach (var collector in collectors)
            await collector.CollectAsync(at, CancellationToken.None);
    }
}
