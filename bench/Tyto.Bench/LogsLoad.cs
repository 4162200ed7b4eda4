using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Collection.Logs;
using Tyto.Host;

namespace Tyto.Bench;

/// <summary>
/// The log targets (bench/README.md, section 9). <c>ingest</c>: the real server in this process takes generated
/// batches from several producers through the <see cref="LogHub"/>, its log writer and the <see cref="LogStore"/>,
/// while a probe keeps offering a line with a word of its own and searching for it until it is found.
/// <c>query</c>: a store filled with ten million lines, timed for the first page of full-text searches with and
/// without filters, and for their totals.
/// </summary>
public static class LogsLoad
{
    private const int PoolLines = 400_000;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ProbePoll = TimeSpan.FromMilliseconds(10);

    public static Task<int> RunAsync(string[] args) => args.ElementAtOrDefault(1) switch
    {
        "ingest" => IngestAsync(IngestSettings.Parse(args)),
        "query" => QueryAsync(QuerySettings.Parse(args)),
        _ => Usage(),
    };

    private static Task<int> Usage()
    {
        Console.Error.WriteLine("logs ingest [seconds=60] [producers=4] [lines/s offered, 0 = as many as taken] [lines per batch=200]");
        Console.Error.WriteLine("logs query [lines=10000000] [data-dir: filled if empty, kept; - for a temporary one] [runs=30]");
        return Task.FromResult(2);
    }

    /// <summary>Command line: <c>logs ingest [seconds] [producers] [rate] [batch]</c>.</summary>
    public sealed record IngestSettings(int Seconds, int Producers, int Rate, int Batch)
    {
        public static IngestSettings Parse(string[] args) => new(Int(args, 2, 60), Int(args, 3, 4), Int(args, 4, 0), Int(args, 5, 200));
    }

    /// <summary>Command line: <c>logs query [lines] [data-dir] [runs]</c>.</summary>
    public sealed record QuerySettings(int Lines, string? DataDir, int Runs)
    {
        public static QuerySettings Parse(string[] args) => new(Int(args, 2, 10_000_000), args.Length > 3 && args[3] != "-" ? args[3] : null, Int(args, 4, 30));
    }

    private static int Int(string[] args, int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    private static async Task<int> IngestAsync(IngestSettings settings)
    {
        var dataDir = Directory.CreateTempSubdirectory("tyto-bench-logs-ingest-").FullName;
        Console.WriteLine($"data: {dataDir}; {settings.Producers} producers, {(settings.Rate == 0 ? "as many lines as taken" : $"{settings.Rate:N0} lines/s offered")}, {settings.Batch} lines a batch; load {Load()}");
        var app = TytoServer.Build(
        [
            "--urls", "http://127.0.0.1:0", $"--Tyto:DataDir={dataDir}", "--Tyto:Auth:AdminPassword=bench-admin-password",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.InitializeAsync();
        await app.StartAsync();
        try
        {
            await MeasureIngestAsync(app.Services, settings);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
        return 0;
    }

    private static async Task MeasureIngestAsync(IServiceProvider services, IngestSettings settings)
    {
        var system = services.GetRequiredService<ActorSystem>();
        var store = services.GetRequiredService<LogStore>();
        var database = services.GetRequiredService<TytoDatabase>();
        var hub = LogHub.Get(system);
        var materializer = system.Materializer();
        var firstId = LogIds.First(HistoryTime.ToUnixMs(DateTime.UtcNow));
        long offered = 0;
        var producers = Enumerable.Range(0, settings.Producers).Select(p =>
        {
            var pool = Pool(new LogLines(seed: 100 + p), PoolLines / settings.Producers, settings.Batch);
            var batches = Source.Cycle(() => pool.GetEnumerator()).Select(Restamped);
            if (settings.Rate > 0)
            {
                var perProducer = Math.Max(1, settings.Rate / settings.Producers);
                batches = batches.Throttle(perProducer, TimeSpan.FromSeconds(1), settings.Batch, b => b.Entries.Count, ThrottleMode.Shaping);
            }
            return batches
                .ViaMaterialized(KillSwitches.Single<LogBatch>(), Keep.Right)
                .Select(b =>
                {
                    Interlocked.Add(ref offered, b.Entries.Count);
                    return b;
                })
                .To(hub.Ingest)
                .Run(materializer);
        }).ToList();
        var probes = Source.Queue<LogBatch>(1, OverflowStrategy.Backpressure).To(hub.Ingest).Run(materializer);

        using var stop = new CancellationTokenSource();
        var probing = ProbeAsync(probes, store, stop.Token);
        await Task.Delay(Warmup);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var storedBefore = Stored(database, firstId);
        var offeredBefore = Interlocked.Read(ref offered);
        var probesBefore = probing.Count;
        Console.WriteLine($"second  offered/s  stored/s  probes found (offer to search)  load");
        long lastOffered = offeredBefore, lastStored = storedBefore;
        var lastProbes = probesBefore;
        using var report = new PeriodicTimer(TimeSpan.FromSeconds(5));
        for (var second = 5; second <= settings.Seconds && await report.WaitForNextTickAsync(); second += 5)
        {
            long nowOffered = Interlocked.Read(ref offered), stored = Stored(database, firstId);
            var window = probing.Since(lastProbes);
            Console.WriteLine($"{second,6}  {(nowOffered - lastOffered) / 5,9:N0}  {(stored - lastStored) / 5,8:N0}  {window}  {Load()}");
            (lastOffered, lastStored, lastProbes) = (nowOffered, stored, probing.Count);
        }
        var elapsed = wall.Elapsed.TotalSeconds;
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var offeredDuring = Interlocked.Read(ref offered) - offeredBefore;
        var storedDuring = Stored(database, firstId) - storedBefore;
        var probed = probing.Since(probesBefore);
        foreach (var producer in producers)
            producer.Shutdown();
        // A kill switch stops its stream a moment later: what passes it meanwhile is offered too.
        var drain = Stopwatch.StartNew();
        long OfferedAll() => Interlocked.Read(ref offered) + probing.Count;
        while (Stored(database, firstId) < OfferedAll() && drain.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(100);
        var storedAll = Stored(database, firstId);
        var offeredAll = OfferedAll();
        await stop.CancelAsync();
        await probing.Task;
        probes.Complete();

        Console.WriteLine();
        Console.WriteLine($"offered {offeredDuring / elapsed:N0} lines/s, stored {storedDuring / elapsed:N0} lines/s over {elapsed:F0} s after a {Warmup.TotalSeconds:F0} s warm-up");
        Console.WriteLine($"every line stored {drain.Elapsed.TotalSeconds:F1} s after the producers stopped ({storedAll:N0} stored of {offeredAll:N0} offered)");
        Console.WriteLine($"search finds a new line after: {probed}");
        Console.WriteLine($"process CPU {cpu / elapsed * 100:F0} % of one core over the window, RSS {process.WorkingSet64 / 1e6:F0} MB; database {new FileInfo(database.FilePath).Length / 1e6:F0} MB + WAL; load {Load()}");
    }

    /// <summary>
    /// Batches of <paramref name="lines"/> lines made beforehand, so that the producers cost the server's two cores
    /// little: each host's lines, as its log sources hand them to the hub, a batch per source.
    /// </summary>
    private static List<LogBatch> Pool(LogLines lines, int count, int batch) =>
        [.. Enumerable.Range(0, count / batch).SelectMany(_ =>
        {
            var agent = lines.Agent();
            return Enumerable.Range(0, batch)
                .Select(_ => lines.Next(agent, DateTime.UnixEpoch))
                .GroupBy(line => line.SourceKey)
                .Select(source => new LogBatch(agent, source.Key, [.. source.Select(line => line.Entry)], null, null));
        })];

    /// <summary>A pooled batch as if read now: its lines a microsecond apart.</summary>
    private static LogBatch Restamped(LogBatch batch)
    {
        var now = DateTime.UtcNow;
        return batch with { Entries = [.. batch.Entries.Select((entry, i) => entry with { Timestamp = now.AddTicks(i * 10) })] };
    }

    /// <summary>Entries of this run stored so far: those with an id from its start on.</summary>
    private static long Stored(TytoDatabase database, long firstId)
    {
        using var db = database.Open();
        return db.Execute<long>("SELECT count(*) FROM logs WHERE id >= @first", new DataParameter("first", firstId));
    }

    /// <summary>
    /// Every <see cref="ProbeEvery"/>, offers one line holding a word no other line has and searches for that word every
    /// <see cref="ProbePoll"/> until the search finds it: the time from the offer to the first search that finds it.
    /// </summary>
    private static ProbeTimes ProbeAsync(ISourceQueueWithComplete<LogBatch> probes, LogStore store, CancellationToken cancellationToken)
    {
        var times = new ProbeTimes();
        times.Task = Task.Run(async () =>
        {
            using var every = new PeriodicTimer(ProbeEvery);
            for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
            {
                var word = $"probe{n:D6}zq";
                var entry = new LogEntry(DateTime.UtcNow, LogSourceKind.File, "/var/log/probe.log", LogSeverity.Info, $"bench probe {word} arrived", new Dictionary<string, string>());
                var clock = Stopwatch.StartNew();
                await probes.OfferAsync(new LogBatch("local", "file", [entry], null, null));
                while ((await store.QueryAsync(new LogQuery { Text = word, Limit = 1 }, CancellationToken.None)).Total == 0)
                    await Task.Delay(ProbePoll, CancellationToken.None);
                times.Add(clock.Elapsed.TotalMilliseconds);
                try
                {
                    await every.WaitForNextTickAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);
        return times;
    }

    private sealed class ProbeTimes
    {
        private readonly List<double> _found = [];

        public Task Task { get; set; } = Task.CompletedTask;

        public int Count
        {
            get
            {
                lock (_found)
                    return _found.Count;
            }
        }

        public void Add(double milliseconds)
        {
            lock (_found)
                _found.Add(milliseconds);
        }

        public Stats Since(int first)
        {
            lock (_found)
                return new Stats([.. _found.Skip(first)]);
        }
    }

    private static async Task<int> QueryAsync(QuerySettings settings)
    {
        var dataDir = settings.DataDir ?? Directory.CreateTempSubdirectory("tyto-bench-logs-").FullName;
        Console.WriteLine($"data: {dataDir}; load {Load()}");
        var database = new TytoDatabase(dataDir);
        database.EnsureCreated();
        var store = new LogStore(database, Options.Create(new TytoOptions()), TimeProvider.System);
        try
        {
            var stored = Count(database);
            if (stored == 0)
                await FillAsync(database, store, settings.Lines);
            else
                Console.WriteLine($"reusing {stored:N0} stored lines");
            await TimeQueriesAsync(database, store, settings.Runs);
        }
        finally
        {
            if (settings.DataDir is null)
                Directory.Delete(dataDir, recursive: true);
        }
        return 0;
    }

    private static long Count(TytoDatabase database)
    {
        using var db = database.Open();
        return db.Execute<long>("SELECT count(*) FROM logs");
    }

    /// <summary>
    /// Fills the store with <paramref name="lines"/> lines over the last week, oldest first, through
    /// <see cref="LogStore.WriteAsync"/> in batches of 20,000, the next batch made while one is written.
    /// </summary>
    private static async Task FillAsync(TytoDatabase database, LogStore store, int lines)
    {
        const int Chunk = 20_000;
        var span = TimeSpan.FromDays(7);
        var end = DateTime.UtcNow.AddMinutes(-1);
        var start = end - span;
        var generator = new LogLines(seed: 1);
        List<LogBatch> Make(int from) => [.. Enumerable.Range(from, Math.Min(Chunk, lines - from))
            .Select(i =>
            {
                var agent = generator.Agent();
                var (key, entry) = generator.Next(agent, start + (span * ((double)i / lines)));
                return (Agent: agent, Key: key, Entry: entry);
            })
            .GroupBy(l => (l.Agent, l.Key))
            .Select(g => new LogBatch(g.Key.Agent, g.Key.Key, [.. g.Select(l => l.Entry)], null, null))];
        var clock = Stopwatch.StartNew();
        var lap = Stopwatch.StartNew();
        var next = Task.Run(() => Make(0));
        for (var from = 0; from < lines; from += Chunk)
        {
            var batches = await next;
            next = from + Chunk < lines ? Task.Run(() => Make(from + Chunk)) : Task.FromResult<List<LogBatch>>([]);
            await store.WriteAsync(batches);
            if ((from + Chunk) % 1_000_000 == 0)
            {
                Console.WriteLine($"  {from + Chunk:N0} lines, {1_000_000 / lap.Elapsed.TotalSeconds:N0} lines/s over the last million; load {Load()}");
                lap.Restart();
            }
        }
        using (var db = database.Open())
            db.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        Console.WriteLine($"filled {lines:N0} lines in {clock.Elapsed.TotalSeconds:F0} s ({lines / clock.Elapsed.TotalSeconds:N0} lines/s); file {new FileInfo(database.FilePath).Length / 1e6:F0} MB");
    }

    /// <summary>
    /// Each query <paramref name="runs"/> times after two to warm up (at most 20 s of runs each): the whole
    /// <see cref="LogStore.QueryAsync"/> (what the API waits for), and its two statements alone, the first page and the total.
    /// </summary>
    private static async Task TimeQueriesAsync(TytoDatabase database, LogStore store, int runs)
    {
        DateTime latest;
        using (var db = database.Open())
            latest = HistoryTime.FromUnixMs(db.Execute<long>("SELECT ts FROM logs ORDER BY id DESC LIMIT 1"));
        var rare = LogLines.Vocabulary[10_000..];
        var medium = LogLines.Vocabulary[50..150];
        var cases = new (string Name, Func<int, LogQuery> Query)[]
        {
            ("rare word (vocabulary rank 10,000+)", i => new LogQuery { Text = rare[i * 97 % rare.Length] }),
            ("medium word (rank 50-150)", i => new LogQuery { Text = medium[i % medium.Length] }),
            ("common word: error", _ => new LogQuery { Text = "error" }),
            ("common word: connection", _ => new LogQuery { Text = "connection" }),
            ("two words: connection refused", _ => new LogQuery { Text = "connection refused" }),
            ("phrase: \"connection reset by peer\"", _ => new LogQuery { Text = "\"connection reset by peer\"" }),
            ("prefix: conn*", _ => new LogQuery { Text = "conn*" }),
            ("prefix of a rare word", i => new LogQuery { Text = rare[i * 97 % rare.Length][..4] + "*" }),
            ("rare word + agent web-01", i => new LogQuery { Text = rare[i * 97 % rare.Length], AgentId = "web-01" }),
            ("error + agent db-02 (6 %)", _ => new LogQuery { Text = "error", AgentId = "db-02" }),
            ("error + agent batch-01 (1 %)", _ => new LogQuery { Text = "error", AgentId = "batch-01" }),
            ("connection + level error", _ => new LogQuery { Text = "connection", Levels = new HashSet<LogSeverity> { LogSeverity.Error } }),
            ("killed + level crit,alert,emerg", _ => new LogQuery { Text = "killed", Levels = new HashSet<LogSeverity> { LogSeverity.Crit, LogSeverity.Alert, LogSeverity.Emerg } }),
            ("timeout + level error (none match)", _ => new LogQuery { Text = "timeout", Levels = new HashSet<LogSeverity> { LogSeverity.Error } }),
            ("error in the last hour", _ => new LogQuery { Text = "error", From = latest.AddHours(-1), To = latest }),
            ("error in an hour 3 days ago", _ => new LogQuery { Text = "error", From = latest.AddDays(-3), To = latest.AddDays(-3).AddHours(1) }),
            ("no text: everything", _ => new LogQuery()),
            ("no text: agent db-02", _ => new LogQuery { AgentId = "db-02" }),
            ("no text: level crit", _ => new LogQuery { Levels = new HashSet<LogSeverity> { LogSeverity.Crit } }),
        };
        Console.WriteLine($"{"query",-38} {"matches",10}  {"QueryAsync med / p95",22}  {"page med / p95",18}  {"total med / p95",18}  load");
        foreach (var (name, query) in cases)
        {
            var whole = new List<double>();
            var pages = new List<double>();
            var totals = new List<double>();
            var matches = 0;
            var spent = Stopwatch.StartNew();
            for (var i = -2; i < runs && spent.Elapsed < TimeSpan.FromSeconds(20); i++)
            {
                var q = query(Math.Max(i, 0) + 1);
                var clock = Stopwatch.StartNew();
                matches = (await store.QueryAsync(q)).Total;
                var wholeMs = clock.Elapsed.TotalMilliseconds;
                var (page, count, parameters) = LogStore.Sql(q, database.LogIndex);
                await using var db = database.Open();
                clock.Restart();
                _ = await db.QueryToListAsync<LogRecord>(page, CancellationToken.None, parameters);
                var pageMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                _ = await db.ExecuteAsync<int>(count, CancellationToken.None, parameters);
                var totalMs = clock.Elapsed.TotalMilliseconds;
                if (i < 0)
                    continue;
                whole.Add(wholeMs);
                pages.Add(pageMs);
                totals.Add(totalMs);
            }
            Console.WriteLine($"{name,-38} {matches,10:N0}  {Percentiles(whole),22}  {Percentiles(pages),18}  {Percentiles(totals),18}  {Load()}");
        }
    }

    private static string Percentiles(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? "-" : $"{sorted[sorted.Count / 2]:F1} / {sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.95))]:F1} ms ({sorted.Count})";
    }

    /// <summary>The machine's load average over 1, 5 and 15 minutes, as <c>uptime</c> prints it.</summary>
    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private sealed record Stats(List<double> Milliseconds)
    {
        public override string ToString()
        {
            var sorted = Milliseconds.Order().ToList();
            return sorted.Count == 0 ? "none found"
                : $"{sorted.Count} probes, median {sorted[sorted.Count / 2]:F0} ms, p99 {sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]:F0} ms, max {sorted[^1]:F0} ms";
        }
    }
}
