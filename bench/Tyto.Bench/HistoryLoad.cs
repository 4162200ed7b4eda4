using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB;
using LinqToDB.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Api;
using Tyto.Collection;
using Tyto.Host;

namespace Tyto.Bench;

/// <summary>
/// The history targets side by side in one run: a store holding 30 days of 100 agents (bytes per raw point,
/// 24 h at 1m query time), then the real server on that store taking 1,000 simulated agents at 20 Hz through
/// the metrics hub while an SSE client follows the live stream and the query keeps being timed.
/// </summary>
public static class HistoryLoad
{
    private const string AdminPassword = "bench-admin-password";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(20);
    private static readonly Random Random = new(7301);

    public static async Task<int> RunAsync(Settings settings)
    {
        var dataDir = settings.DataDir ?? Directory.CreateTempSubdirectory("tyto-bench-history-").FullName;
        Console.WriteLine($"data: {dataDir}");
        var database = new TytoDatabase(dataDir);
        database.EnsureCreated();
        var store = new HistoryStore(database, Options.Create(new TytoOptions()), TimeProvider.System);
        var now = DateTime.UtcNow.TruncateToMillisecond();
        var stored = Enumerable.Range(0, settings.StoredAgents).Select(i => $"stored-{i:D3}").ToArray();

        if (settings.DataDir is null)
            await SeedAsync(database, store, stored, now, settings);

        var idle = await TimeQueriesAsync(store, stored, now, TimeSpan.FromSeconds(20), CancellationToken.None);
        Console.WriteLine($"24 h at 1m, idle: {idle}");

        await IngestAsync(dataDir, store, stored, settings);
        return 0;
    }

    /// <summary>
    /// Fills the store as the writer would have after 30 days under the default retention: raw points for the
    /// last 48 h, 1m buckets for 14 days, 5m and 1h buckets for the whole span.
    /// </summary>
    private static async Task SeedAsync(TytoDatabase database, HistoryStore store, string[] agents, DateTime now, Settings settings)
    {
        var clock = Stopwatch.StartNew();
        var rawSpan = TimeSpan.FromHours(48);
        var rawCount = 0L;
        foreach (var agentId in agents)
        {
            var batch = new HistoryBatch();
            batch.NewAgents.Add(agentId);
            var walk = new Walk();
            for (var at = now - rawSpan; at < now; at = at.AddSeconds(settings.RawIntervalSeconds))
            {
                batch.Raw.Add(walk.Next(agentId, at));
                if (batch.Raw.Count == 20_000)
                {
                    await store.WriteAsync(batch);
                    rawCount += batch.Raw.Count;
                    batch = new HistoryBatch();
                }
            }
            await store.WriteAsync(batch);
            rawCount += batch.Raw.Count;
        }
        Checkpoint(database);
        var rawBytes = new FileInfo(database.FilePath).Length;
        Console.WriteLine($"seeded {rawCount:N0} raw points ({settings.RawIntervalSeconds} s apart, 48 h, {agents.Length} agents) in {clock.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine($"bytes per raw point (table and primary key, whole file / rows): {rawBytes / (double)rawCount:F1}");

        clock.Restart();
        var rollupCount = 0L;
        foreach (var resolution in Resolution.Rollups)
        {
            foreach (var agentId in agents)
            {
                var walk = new Walk();
                var batch = new HistoryBatch();
                var span = TimeSpan.FromDays(settings.StoredDays);
                var kept = store.RetentionOf(resolution) < span ? store.RetentionOf(resolution) : span;
                for (var at = resolution.BucketOf(now - kept); at < resolution.BucketOf(now); at += resolution.Width)
                {
                    var samples = (int)(resolution.Width.TotalSeconds / settings.RawIntervalSeconds);
                    var bucket = HistoryPoint.Empty(agentId, at);
                    for (var i = 0; i < Math.Min(samples, 4); i++)
                        bucket.Add(walk.Next(agentId, at));
                    batch.Closed.Add((resolution, new HistoryPoint(agentId, at, samples, bucket.Series, bucket.Labelled)));
                    if (batch.Closed.Count == 10_000)
                    {
                        await store.WriteAsync(batch);
                        rollupCount += batch.Closed.Count;
                        batch = new HistoryBatch();
                    }
                }
                await store.WriteAsync(batch);
                rollupCount += batch.Closed.Count;
            }
        }
        Checkpoint(database);
        Console.WriteLine($"seeded {rollupCount:N0} 1m/5m/1h buckets (up to {settings.StoredDays} days) in {clock.Elapsed.TotalSeconds:F0} s; file {new FileInfo(database.FilePath).Length / 1e6:F0} MB");
    }

    private static void Checkpoint(TytoDatabase database)
    {
        using var db = database.Open();
        db.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    /// <summary>
    /// Times 24 h at 1m for random stored agents, one query after another, for <paramref name="duration"/>: the
    /// store's query alone (the target), and with what the endpoint adds, its points written as JSON.
    /// </summary>
    private static async Task<QueryTimes> TimeQueriesAsync(HistoryStore store, string[] agents, DateTime now, TimeSpan duration, CancellationToken cancellationToken)
    {
        var times = new QueryTimes();
        var until = Stopwatch.StartNew();
        while (until.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            var agentId = agents[Random.Shared.Next(agents.Length)];
            var clock = Stopwatch.StartNew();
            var result = await store.QueryAsync(agentId, now.AddHours(-24), now, Resolution.OneMinute, CancellationToken.None);
            var queried = clock.Elapsed.TotalMilliseconds;
            var json = JsonSerializer.SerializeToUtf8Bytes(result.Select(HistoryPointDto.From), ApiJson.Options);
            times.Add(queried, clock.Elapsed.TotalMilliseconds, result.Count, json.Length);
            await Task.Delay(100, CancellationToken.None);
        }
        return times;
    }

    private static async Task IngestAsync(string dataDir, HistoryStore seededStore, string[] stored, Settings settings)
    {
        var app = TytoServer.Build(
        [
            "--urls", "http://127.0.0.1:0", $"--Tyto:DataDir={dataDir}", $"--Tyto:Auth:AdminPassword={AdminPassword}",
            "--Tyto:Collection:Interval=1", "--Logging:LogLevel:Default=Warning",
        ]);
        await app.InitializeAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var system = app.Services.GetRequiredService<ActorSystem>();
        var database = app.Services.GetRequiredService<TytoDatabase>();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };
        var login = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = AdminPassword })).Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());

        var agents = Enumerable.Range(0, settings.Agents).Select(i => $"sim-{i:D4}").ToArray();
        var walks = agents.Select(_ => new Walk()).ToArray();
        long offered = 0;
        long emitted = 0;
        // Akka's scheduler ticks every 250 ms (hocon/akka.hocon): each tick carries every agent's samples due
        // since the previous one, 1/Hz apart. A tick that finds the hub backpressuring is dropped, and the next
        // one carries what it would have, as an agent's outbox would: only a lasting shortfall shows as less offered.
        var tick = TimeSpan.FromMilliseconds(250);
        var spacing = TimeSpan.FromSeconds(1.0 / settings.Hz);
        using var stop = new CancellationTokenSource();
        var rowsBeforeLoad = MaxRowId(database);
        var lastGenerated = DateTime.UtcNow;
        var (killSwitch, _) = Source.Tick(TimeSpan.Zero, tick, NotUsed.Instance)
            .ViaMaterialized(KillSwitches.Single<NotUsed>(), Keep.Right)
            .SelectMany(_ =>
            {
                var due = new List<DateTime>();
                for (var at = lastGenerated + spacing; at <= DateTime.UtcNow; at += spacing)
                    due.Add(at.TruncateToMillisecond());
                if (due.Count > 0)
                    lastGenerated = lastGenerated + (due.Count * spacing);
                Interlocked.Add(ref offered, (long)agents.Length * due.Count);
                return due.SelectMany(at => agents.Select((agentId, i) => walks[i].Sample(agentId, at)));
            })
            .Select(sample =>
            {
                Interlocked.Increment(ref emitted);
                return sample;
            })
            .ToMaterialized(MetricsHub.Get(system).Ingest, Keep.Both)
            .Run(system.Materializer());

        // The first seconds bring 1,000 agents to sharding, a restore and the JIT, and the backlog they leave is
        // caught up; the window starts after them.
        await Task.Delay(Warmup);
        var rowsAtStart = rowsBeforeLoad;
        var local = FollowAsync(client, "local", stop.Token);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var rowsBefore = MaxRowId(database);
        var offeredBefore = Interlocked.Read(ref offered);
        var queries = TimeQueriesAsync(seededStore, stored, DateTime.UtcNow, TimeSpan.FromSeconds(settings.Seconds), stop.Token);
        Console.WriteLine("second  offered/s  written/s  (each over the last 5 s)");
        long lastOffered = offeredBefore, lastRows = rowsBefore;
        using var report = new PeriodicTimer(TimeSpan.FromSeconds(5));
        for (var second = 5; second <= settings.Seconds && await report.WaitForNextTickAsync(); second += 5)
        {
            long nowOffered = Interlocked.Read(ref offered), rows = MaxRowId(database);
            Console.WriteLine($"{second,6}  {(nowOffered - lastOffered) / 5,9:N0}  {(rows - lastRows) / 5,9:N0}");
            lastOffered = nowOffered;
            lastRows = rows;
        }
        var elapsed = wall.Elapsed.TotalSeconds;
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var totalOffered = Interlocked.Read(ref offered) - offeredBefore;
        var writtenDuring = MaxRowId(database) - rowsBefore;
        killSwitch.Shutdown();
        var drain = Stopwatch.StartNew();
        var offeredAll = Interlocked.Read(ref offered);
        while (MaxRowId(database) - rowsAtStart < offeredAll && drain.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(100);
        var writtenAll = MaxRowId(database) - rowsAtStart;
        await stop.CancelAsync();
        var localStream = await local;
        var busy = await queries;

        Console.WriteLine();
        Console.WriteLine($"offered {totalOffered / elapsed:N0} samples/s for {elapsed:F0} s after a {Warmup.TotalSeconds:F0} s warm-up ({settings.Agents} agents at {settings.Hz} Hz)");
        Console.WriteLine($"written {writtenDuring / elapsed:N0} raw points/s during the window; every sample written {drain.Elapsed.TotalSeconds:F1} s after the load stopped ({writtenAll:N0} rows for {offeredAll:N0} samples, {Interlocked.Read(ref emitted):N0} into the hub, the local agent's included)");
        Console.WriteLine($"process CPU {cpu / elapsed * 100:F0} % of one core over the window, RSS {process.WorkingSet64 / 1e6:F0} MB");
        Console.WriteLine($"live stream, local (1 Hz): {localStream}");
        Console.WriteLine($"24 h at 1m, during ingest: {busy}");
        await app.StopAsync();
    }

    /// <summary>How late each live frame of an agent reaches an SSE client: receipt time minus sample time.</summary>
    private static async Task<StreamTimes> FollowAsync(HttpClient client, string agentId, CancellationToken cancellationToken)
    {
        var lateness = new List<double>();
        try
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/stream?agent_id={agentId}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                    continue;
                using var sample = JsonDocument.Parse(line["data:".Length..]);
                var at = sample.RootElement.GetProperty("timestamp").GetDateTime();
                lateness.Add((DateTime.UtcNow - at).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException)
        {
            // The window ended.
        }
        return new StreamTimes(lateness);
    }

    private static long MaxRowId(TytoDatabase database)
    {
        using var db = database.Open();
        return db.Execute<long?>("SELECT MAX(rowid) FROM history_raw") ?? 0;
    }

    /// <summary>Command line: <c>history [agents] [hz] [seconds] [stored-agents] [stored-days] [raw-interval-seconds] [data-dir]</c>.</summary>
    public sealed record Settings(int Agents, int Hz, int Seconds, int StoredAgents, int StoredDays, int RawIntervalSeconds, string? DataDir)
    {
        public static Settings Parse(string[] args)
        {
            int At(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
            return new Settings(At(1, 1000), At(2, 20), At(3, 60), At(4, 100), At(5, 30), At(6, 2), args.Length > 7 ? args[7] : null);
        }
    }

    private sealed class QueryTimes
    {
        private readonly List<double> _query = [];
        private readonly List<double> _withJson = [];
        private int _points;
        private int _bytes;

        public void Add(double query, double withJson, int points, int bytes)
        {
            _query.Add(query);
            _withJson.Add(withJson);
            _points = points;
            _bytes = bytes;
        }

        public override string ToString() => _query.Count == 0 ? "no queries"
            : $"{_query.Count} queries of {_points} points: query median {Median(_query):F2} ms (p95 {P95(_query):F2}); " +
              $"with the answer as JSON ({_bytes / 1024} KiB) median {Median(_withJson):F2} ms (p95 {P95(_withJson):F2})";

        private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

        private static double P95(List<double> values) => values.Order().ElementAt((int)(values.Count * 0.95));
    }

    private sealed record StreamTimes(List<double> Milliseconds)
    {
        public override string ToString()
        {
            var sorted = Milliseconds.Order().ToList();
            return sorted.Count == 0 ? "no frames"
                : $"{sorted.Count} frames, late by median {sorted[sorted.Count / 2]:F0} ms, p99 {sorted[(int)(sorted.Count * 0.99)]:F0} ms, max {sorted[^1]:F0} ms";
        }
    }

    /// <summary>Plausible values for one host that drift from sample to sample.</summary>
    private sealed class Walk
    {
        private double _cpu = Random.NextDouble() * 60;
        private double _memory = 20 + (Random.NextDouble() * 60);

        public RawPoint Next(string agentId, DateTime at)
        {
            Step();
            var values = new double[RawPoint.SeriesCount];
            values[(int)Series.Cpu] = Math.Round(_cpu, 2);
            values[(int)Series.Memory] = Math.Round(_memory, 2);
            values[(int)Series.Load1] = Math.Round(_cpu / 25, 2);
            values[(int)Series.Load5] = Math.Round(_cpu / 30, 2);
            values[(int)Series.Load15] = Math.Round(_cpu / 35, 2);
            values[(int)Series.Disk] = 61.37;
            values[(int)Series.NetworkRx] = Math.Round(_cpu * 12_345);
            values[(int)Series.NetworkTx] = Math.Round(_cpu * 2_345);
            values[(int)Series.DiskRead] = Math.Round(_memory * 4_321);
            values[(int)Series.DiskWrite] = Math.Round(_memory * 9_876);
            var labelled = new Dictionary<LabelledSeries, double>
            {
                [new(LabelledSeries.Mount, "/")] = 61.37,
                [new(LabelledSeries.Mount, "/var/lib/docker")] = 23.5,
                [new(LabelledSeries.Rx, "eth0")] = values[(int)Series.NetworkRx],
                [new(LabelledSeries.Tx, "eth0")] = values[(int)Series.NetworkTx],
            };
            return new RawPoint(agentId, at, values, labelled);
        }

        /// <summary>A whole sample as an agent would send it: 4 cores, 2 mounts, 2 disks, 3 interfaces, 5 top processes.</summary>
        public MetricsSample Sample(string agentId, DateTime at)
        {
            Step();
            var processes = Enumerable.Range(0, 5).Select(i => new ProcessSample(1000 + i, $"worker-{i}", "www-data", _cpu / (i + 2), 50_000_000L * (i + 1))).ToList();
            return MetricsSample.Empty(agentId, at) with
            {
                System = new SystemSection(agentId, "6.1.0-18-amd64", 864_000, "x86_64"),
                Cpu = new CpuSection([.. Enumerable.Range(0, 4).Select(i => new CpuCore(i, _cpu, 2_400))], _cpu, new LoadAverage(_cpu / 25, _cpu / 30, _cpu / 35)),
                Memory = new MemorySection(16_000_000_000, (long)(_memory * 160_000_000), 2_000_000_000, 8_000_000_000, 100_000_000, 4_000_000_000, 0, 0),
                Disk = new DiskSection(
                    [new MountUsage("/dev/sda1", "/", "ext4", 100_000_000_000, 61_370_000_000, 38_630_000_000), new MountUsage("/dev/sdb1", "/var/lib/docker", "xfs", 200_000_000_000, 47_000_000_000, 153_000_000_000)],
                    [new DiskIo("sda", 1_000_000, 2_000_000, _memory * 4_321, _memory * 9_876), new DiskIo("sdb", 1_000_000, 2_000_000, 0, 0)]),
                Network = new NetworkSection(
                    [new NetworkInterfaceSample("lo", "127.0.0.1", "::1", 1, 1, 10, 10), new NetworkInterfaceSample("eth0", "10.0.0.2", null, 5, 5, _cpu * 12_345, _cpu * 2_345), new NetworkInterfaceSample("eth1", null, null, 0, 0, 0, 0)],
                    42),
                Processes = new ProcessesSection(processes, processes, 180),
            };
        }

        private void Step()
        {
            _cpu = Math.Clamp(_cpu + ((Random.NextDouble() - 0.5) * 10), 0, 100);
            _memory = Math.Clamp(_memory + ((Random.NextDouble() - 0.5) * 2), 5, 95);
        }
    }
}
