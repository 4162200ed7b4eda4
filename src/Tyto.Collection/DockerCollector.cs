using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tyto.Collection;

/// <summary>
/// Containers from the Docker Engine API on its Unix socket: the list, then one-shot stats of the running ones,
/// a bounded number at a time, each with a timeout. CPU % and memory are computed as <c>docker stats</c> does,
/// CPU against this collector's previous reading of the same container.
/// </summary>
public sealed class DockerCollector : ICollector, IDisposable
{
    private readonly string _socket;
    private readonly int _concurrency;
    private readonly HttpClient _http;
    private Dictionary<string, CpuCounters> _previous = [];

    public DockerCollector(string socket, TimeSpan timeout, int concurrency)
    {
        _socket = socket;
        _concurrency = concurrency;
        _http = DockerEngine.Client(socket, timeout);
    }

    public string Name => "docker";

    public async ValueTask<ISampleSection> CollectAsync(DateTime at, CancellationToken cancellationToken)
    {
        if (!File.Exists(_socket))
            return Unavailable($"No Docker socket at {_socket}");
        List<ListedContainer> containers;
        try
        {
            var listed = await _http.GetFromJsonAsync<List<ContainerSummary>>("containers/json?all=1", cancellationToken) ?? [];
            containers = listed
                .Where(c => c.Id is not null)
                .Select(c => new ListedContainer(c.Id!, c.Names is [var name, ..] ? name.TrimStart('/') : c.Id!, c.Image ?? "", c.State ?? "unknown"))
                .ToList();
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied })
        {
            return Unavailable($"Permission denied on {_socket}: add the user Tyto runs as to the docker group");
        }
        catch (HttpRequestException e)
        {
            return Unavailable($"The Docker engine on {_socket} cannot be read: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unavailable($"The Docker engine on {_socket} did not answer within {_http.Timeout.TotalSeconds:0.#} s");
        }
        catch (JsonException e)
        {
            return Unavailable($"The Docker engine on {_socket} sent a container list Tyto cannot read: {e.Message}");
        }

        var stats = new ConcurrentDictionary<string, ContainerStats?>();
        await Parallel.ForEachAsync(
            containers.Where(c => c.State == "running"),
            new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (container, token) => stats[container.Id] = await StatsAsync(container.Id, token));

        var previous = _previous;
        var counters = new Dictionary<string, CpuCounters>(stats.Count);
        var samples = new List<ContainerSample>(containers.Count);
        foreach (var container in containers)
        {
            var cpu = 0.0;
            var memory = 0L;
            if (stats.TryGetValue(container.Id, out var reading))
            {
                // Removed between the list and its stats: it no longer exists.
                if (reading is null)
                    continue;
                if (reading.Counters is { } now)
                {
                    counters[container.Id] = now;
                    cpu = CpuPercent(previous.GetValueOrDefault(container.Id) ?? reading.Before, now);
                    memory = reading.Memory;
                }
                else if (previous.TryGetValue(container.Id, out var kept))
                {
                    // No answer in time: keep the counters, so the next reading spans both rounds.
                    counters[container.Id] = kept;
                }
            }
            samples.Add(new ContainerSample(
                container.Id.Length > 12 ? container.Id[..12] : container.Id,
                container.Name,
                container.Image,
                container.State,
                cpu,
                memory));
        }
        _previous = counters;
        return new DockerSection(true, samples);
    }

    public ISampleSection? Failed(Exception failure) => Unavailable($"Reading the Docker engine on {_socket} failed: {failure.Message}");

    public void Dispose() => _http.Dispose();

    /// <summary>CPU % as <c>docker stats</c> computes it: the container's share of all CPU time, times the online CPUs.</summary>
    public static double CpuPercent(CpuCounters? before, CpuCounters now)
    {
        if (before is null)
            return 0;
        var container = (double)now.Container - before.Container;
        var system = (double)now.System - before.System;
        return system > 0 && container > 0 ? Math.Round(container / system * now.OnlineCpus * 100, 2) : 0;
    }

    /// <summary>Memory as <c>docker stats</c> shows it: usage less the inactive page cache (cgroup v1 or v2 key).</summary>
    public static long MemoryUsage(MemoryStats memory)
    {
        var stats = memory.Stats ?? new Dictionary<string, ulong>();
        if (stats.TryGetValue("total_inactive_file", out var v1) && v1 < memory.Usage)
            return (long)(memory.Usage - v1);
        if (stats.TryGetValue("inactive_file", out var v2) && v2 < memory.Usage)
            return (long)(memory.Usage - v2);
        return (long)memory.Usage;
    }

    /// <summary>One-shot stats; an empty reading where the engine did not answer in time, null where the container is gone.</summary>
    private async Task<ContainerStats?> StatsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync($"containers/{id}/stats?stream=false&one-shot=true", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            response.EnsureSuccessStatusCode();
            var stats = await response.Content.ReadFromJsonAsync<StatsResponse>(cancellationToken);
            return stats is null ? ContainerStats.None : ContainerStats.From(stats);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ContainerStats.None;
        }
    }

    private DockerSection Unavailable(string reason)
    {
        _previous = [];
        return new DockerSection(false, null, reason);
    }

    /// <summary>A container's CPU time and the host's, both in nanoseconds, and how many CPUs were online.</summary>
    public sealed record CpuCounters(ulong Container, ulong System, int OnlineCpus);

    /// <summary>What one stats answer says: counters now and (for engines that fill it) before, and memory in use.</summary>
    private sealed record ContainerStats(CpuCounters? Counters, CpuCounters? Before, long Memory)
    {
        public static readonly ContainerStats None = new(null, null, 0);

        public static ContainerStats From(StatsResponse stats)
        {
            // A container that stopped after the list answers with zeroed counters: it used nothing since.
            if (stats.CpuStats?.SystemCpuUsage is not > 0)
                return new ContainerStats(null, null, 0);
            return new ContainerStats(
                ReadCounters(stats.CpuStats),
                stats.PreCpuStats?.SystemCpuUsage is > 0 ? ReadCounters(stats.PreCpuStats) : null,
                stats.MemoryStats is { } memory ? MemoryUsage(memory) : 0);
        }

        private static CpuCounters ReadCounters(CpuStats cpu) => new(
            cpu.CpuUsage?.TotalUsage ?? 0,
            cpu.SystemCpuUsage ?? 0,
            cpu.OnlineCpus is > 0 ? cpu.OnlineCpus.Value : cpu.CpuUsage?.PercpuUsage?.Count ?? 1);
    }

    /// <summary>A container in the list; fields are optional, as engines that mimic Docker's API may leave some out.</summary>
    private sealed record ContainerSummary(string? Id, IReadOnlyList<string>? Names, string? Image, string? State);

    private sealed record ListedContainer(string Id, string Name, string Image, string State);

    private sealed record StatsResponse(
        [property: JsonPropertyName("cpu_stats")] CpuStats? CpuStats,
        [property: JsonPropertyName("precpu_stats")] CpuStats? PreCpuStats,
        [property: JsonPropertyName("memory_stats")] MemoryStats? MemoryStats);

    private sealed record CpuStats(
        [property: JsonPropertyName("cpu_usage")] CpuUsage? CpuUsage,
        [property: JsonPropertyName("system_cpu_usage")] ulong? SystemCpuUsage,
        [property: JsonPropertyName("online_cpus")] int? OnlineCpus);

    private sealed record CpuUsage(
        [property: JsonPropertyName("total_usage")] ulong TotalUsage,
        [property: JsonPropertyName("percpu_usage")] IReadOnlyList<ulong>? PercpuUsage);

    /// <summary>The <c>memory_stats</c> of a stats answer: usage and the cgroup's own counters.</summary>
    public sealed record MemoryStats(
        [property: JsonPropertyName("usage")] ulong Usage,
        [property: JsonPropertyName("stats")] IReadOnlyDictionary<string, ulong>? Stats);
}
