using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tyto.Api.AgentChannel;
using Tyto.Collection;
using Tyto.Host;

namespace Tyto.Bench;

/// <summary>
/// The dashboard in the browser (bench/README.md, section 10): a real server in this process, simulated agents sending a
/// changing sample a second over the agent channel, and headless Chromium at 1280×800 on the fleet overview and on one
/// agent's host view in live mode. Over each window, through the DevTools protocol: the page's main-thread busy time,
/// its JavaScript heap after a forced collection at both ends, the frames it drew, and a CPU profile afterwards.
/// </summary>
public static class DashboardLoad
{
    private const string Password = "bench-admin-password";
    private const string Prefix = "sim-";
    private const double FrameRate = 60;
    private static readonly string[] TraceCategories = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink", "cc"];

    /// <summary><c>dashboard [AGENTS=20] [SECONDS=120] [FILL_SECONDS=700] [FRAMES_SECONDS=30] [PROFILE_SECONDS=30] [POINTS=600] [CORES=8]</c>.</summary>
    public sealed record Settings(int Agents, TimeSpan Measure, TimeSpan Fill, TimeSpan Frames, TimeSpan Profile, int Points, int Cores)
    {
        public static Settings Parse(string[] args) => new(
            At(args, 1, 20), Seconds(args, 2, 120), Seconds(args, 3, 700), Seconds(args, 4, 30), Seconds(args, 5, 30), At(args, 6, 600), At(args, 7, 8));

        private static TimeSpan Seconds(string[] args, int index, int fallback) => TimeSpan.FromSeconds(At(args, index, fallback));

        private static int At(string[] args, int index, int fallback) =>
            args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        var dataDir = Directory.CreateTempSubdirectory("tyto-bench-dashboard-").FullName;
        var app = TytoServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--Tyto:Agents:Listen=https://127.0.0.1:0", $"--Tyto:DataDir={dataDir}",
            $"--Tyto:Auth:AdminPassword={Password}", "--Tyto:Collection:Interval=1", "--Logging:LogLevel:Default=Warning",
        ]);
        await app.InitializeAsync();
        await app.StartAsync();
        try
        {
            await MeasureAsync(app, settings);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
        return 0;
    }

    private static async Task MeasureAsync(WebApplication app, Settings settings)
    {
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var agentsUrl = new Uri(app.Services.GetRequiredService<AgentListener>().Url);
        using var api = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = Password });
        login.EnsureSuccessStatusCode();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
        var template = await FleetLoad.LocalSampleAsync(api);

        using var ca = await SimulatedAgent.FetchCaAsync(agentsUrl);
        var agents = new SimulatedAgent[settings.Agents];
        await Parallel.ForAsync(0, settings.Agents, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            agents[i] = await SimulatedAgent.EnrollAsync(api, agentsUrl, ca, $"{Prefix}{i:D4}", SimulatedAgent.SourceAddress(i), ct);
            await agents[i].ConnectAsync(agentsUrl, ct);
        });
        using var stop = new CancellationTokenSource();
        var sending = agents.Select((agent, i) =>
        {
            var walk = new Walk(template, settings.Cores, seed: i);
            return agent.SendEverySecondAsync(walk.Next, TimeSpan.FromMilliseconds(1000.0 * i / settings.Agents), stop.Token);
        }).ToList();
        Console.WriteLine($"Server at {address}; {settings.Agents} simulated agents with {settings.Cores} cores each send a sample a second; load {Load()}");

        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("TYTO_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = address.ToString(),
                ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            });
            var page = await context.NewPageAsync();
            var problems = new List<string>();
            void Problem(string problem)
            {
                lock (problems)
                    problems.Add(problem);
            }
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                    Problem($"console error: {message.Text}");
            };
            page.PageError += (_, error) => Problem($"uncaught: {error}");
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            await SignInAsync(page);

            var windows = new List<Window>();
            await page.GotoAsync("/profile");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
            windows.Add(await MeasureWindowAsync(page, cdp, "the shell alone (/profile)", settings, TimeSpan.FromSeconds(Math.Min(30, settings.Measure.TotalSeconds))));

            await page.GotoAsync("/");
            var last = $"{Prefix}{settings.Agents - 1:D4}";
            try
            {
                await page.GetByText(last, new() { Exact = true }).First.WaitForAsync(new() { Timeout = 30_000 });
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"The overview did not show {last} within 30 s: measured as it is.");
            }
            await Task.Delay(TimeSpan.FromSeconds(10));
            windows.Add(await MeasureWindowAsync(page, cdp, $"overview / ({settings.Agents} agents)", settings));
            await ProfileAsync(cdp, "overview", settings.Profile);
            await TraceAsync(cdp, "overview", settings.Profile);

            var host = $"{Prefix}0000";
            await page.GotoAsync($"/hosts/{host}");
            var filled = await FillAsync(page, cdp, settings);
            windows.Add(await MeasureWindowAsync(page, cdp, $"host view /hosts/{host}, live ({filled})", settings));
            await ProfileAsync(cdp, "host", settings.Profile);
            await TraceAsync(cdp, "host", settings.Profile);

            Print(windows);
            lock (problems)
                Console.WriteLine(problems.Count == 0 ? "No console error or uncaught exception." : string.Join('\n', problems.Distinct()));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(sending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var agent in agents)
                agent?.Dispose();
        }
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
    }

    /// <summary>
    /// Lets the host view collect its points: until every chart that says how many it holds (a <c>data-points</c>
    /// attribute) holds <see cref="Settings.Points"/>, else for <see cref="Settings.Fill"/>. Returns what it waited for.
    /// </summary>
    private static async Task<string> FillAsync(IPage page, ICDPSession cdp, Settings settings)
    {
        var clock = Stopwatch.StartNew();
        var heapAtOpen = await HeapAfterCollectionAsync(cdp);
        int[] points = [];
        var report = TimeSpan.FromMinutes(1);
        while (clock.Elapsed < settings.Fill)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            points = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('[data-points]')].map(e => Number(e.getAttribute('data-points')))");
            if (points.Length > 0 && points.Min() >= settings.Points)
                break;
            if (clock.Elapsed < report)
                continue;
            report += TimeSpan.FromMinutes(1);
            Console.WriteLine($"  filling the host view: {clock.Elapsed.TotalSeconds:F0} s, {(points.Length == 0 ? "no chart says its points" : $"{points.Length} charts, {points.Min()}–{points.Max()} points")}");
        }
        var heapFilled = await HeapAfterCollectionAsync(cdp);
        Console.WriteLine($"  host view filled in {clock.Elapsed.TotalSeconds:F0} s; JS heap after GC {heapAtOpen / 1e6:F2} → {heapFilled / 1e6:F2} MB");
        return points.Length == 0
            ? $"after {clock.Elapsed.TotalSeconds:F0} s, no data-points"
            : $"{points.Length} charts of {points.Min()}–{points.Max()} points";
    }

    /// <summary>
    /// One page measured: over <see cref="Settings.Measure"/> as it is (the heap after a collection at both ends, the
    /// main thread, the long animation frames, which a passive observer sees), then over <see cref="Settings.Frames"/>
    /// with a requestAnimationFrame probe, which asks for every frame and so costs the main thread a frame's work 60
    /// times a second itself.
    /// </summary>
    private static async Task<Window> MeasureWindowAsync(IPage page, ICDPSession cdp, string name, Settings settings, TimeSpan? length = null)
    {
        var load = Load();
        var heapBefore = await HeapAfterCollectionAsync(cdp);
        await page.EvaluateAsync(FrameCounter.Start, false);
        var (span, before, after) = await SpanAsync(cdp, length ?? settings.Measure);
        var longFrames = await page.EvaluateAsync<FrameCount>(FrameCounter.Stop);
        var heapAfter = await HeapAfterCollectionAsync(cdp);
        await page.EvaluateAsync(FrameCounter.Start, true);
        var (probed, _, _) = await SpanAsync(cdp, settings.Frames);
        var frames = await page.EvaluateAsync<FrameCount>(FrameCounter.Stop);
        return new Window(name, span, heapBefore, heapAfter, (int)before["Nodes"], (int)after["Nodes"], longFrames, probed, frames, $"{load} → {Load()}");
    }

    private static async Task<(Span Span, Dictionary<string, double> Before, Dictionary<string, double> After)> SpanAsync(ICDPSession cdp, TimeSpan length)
    {
        var chromiumBefore = ChromiumCpu();
        var before = await MetricsAsync(cdp);
        await Task.Delay(length);
        var after = await MetricsAsync(cdp);
        var chromium = ChromiumCpu() - chromiumBefore;
        var wall = after["Timestamp"] - before["Timestamp"];
        double Share(string metric) => (after[metric] - before[metric]) / wall;
        return (new Span(wall, Share("TaskDuration"), Share("ThreadTime"), Share("ScriptDuration"), Share("RecalcStyleDuration"), Share("LayoutDuration"), chromium.TotalSeconds / wall), before, after);
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(ICDPSession cdp)
    {
        var result = await cdp.SendAsync("Performance.getMetrics");
        return result!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    }

    private static async Task<double> HeapAfterCollectionAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        return (await MetricsAsync(cdp))["JSHeapUsedSize"];
    }

    /// <summary>
    /// A sampling CPU profile of the page for <paramref name="length"/> after its window (it costs the page time, so not
    /// during it): saved for DevTools under artifacts/bench/, and its functions by self time printed.
    /// </summary>
    private static async Task ProfileAsync(ICDPSession cdp, string name, TimeSpan length)
    {
        if (length <= TimeSpan.Zero)
            return;
        await cdp.SendAsync("Profiler.enable");
        await cdp.SendAsync("Profiler.setSamplingInterval", new() { ["interval"] = 500 });
        await cdp.SendAsync("Profiler.start");
        await Task.Delay(length);
        var profile = (await cdp.SendAsync("Profiler.stop"))!.Value.GetProperty("profile");
        await cdp.SendAsync("Profiler.disable");
        var folder = Directory.CreateDirectory(Path.Combine(Artifacts(), "bench")).FullName;
        var file = Path.Combine(folder, $"dashboard-{name}.cpuprofile");
        await File.WriteAllTextAsync(file, profile.GetRawText());

        var frames = profile.GetProperty("nodes").EnumerateArray().ToDictionary(
            n => n.GetProperty("id").GetInt32(),
            n =>
            {
                var frame = n.GetProperty("callFrame");
                var url = frame.GetProperty("url").GetString()!;
                var function = frame.GetProperty("functionName").GetString() is { Length: > 0 } f ? f : "(anonymous)";
                return url.Length == 0 ? function : $"{function} {url[(url.LastIndexOf('/') + 1)..]}:{frame.GetProperty("lineNumber").GetInt32() + 1}";
            });
        var self = new Dictionary<string, double>();
        var samples = profile.GetProperty("samples").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        var deltas = profile.GetProperty("timeDeltas").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        // A sample's time is the delta to the next sample.
        for (var i = 0; i + 1 < samples.Length; i++)
            self[frames[samples[i]]] = self.GetValueOrDefault(frames[samples[i]]) + deltas[i + 1];
        var total = (profile.GetProperty("endTime").GetDouble() - profile.GetProperty("startTime").GetDouble()) / 1e6;
        var busy = self.Where(e => e.Key != "(idle)").Sum(e => e.Value) / 1e6;
        Console.WriteLine($"CPU profile of the {name}, {total:F0} s ({file}): {busy / total * 100:F1} % of the main thread outside (idle); by self time:");
        foreach (var (function, micros) in self.Where(e => e.Key != "(idle)").OrderByDescending(e => e.Value).Take(15))
            Console.WriteLine($"  {micros / 1e3 / total,8:F2} ms/s  {micros / 1e6 / busy * 100,5:F1} %  {function}");
    }

    /// <summary>
    /// A trace of the page's main thread for <paramref name="length"/> after its profile, with the timeline's
    /// categories: what the CPU profile calls (program), parsing, style, layout, paint, canvas and compositing work,
    /// by self time (an event's time less its children's; RunTask's own is what no other event covers). Saved for
    /// DevTools' Performance panel under artifacts/bench/.
    /// </summary>
    private static async Task TraceAsync(ICDPSession cdp, string name, TimeSpan length)
    {
        if (length <= TimeSpan.Zero)
            return;
        var events = new List<JsonElement>();
        var traced = new TaskCompletionSource();
        void Collect(object? sender, JsonElement? data)
        {
            lock (events)
                events.AddRange(data!.Value.GetProperty("value").EnumerateArray().Select(e => e.Clone()));
        }
        void End(object? sender, JsonElement? data) => traced.TrySetResult();
        cdp.Event("Tracing.dataCollected").OnEvent += Collect;
        cdp.Event("Tracing.tracingComplete").OnEvent += End;
        await cdp.SendAsync("Tracing.start", new()
        {
            ["transferMode"] = "ReportEvents",
            ["traceConfig"] = new Dictionary<string, object>
            {
                ["includedCategories"] = TraceCategories,
            },
        });
        await Task.Delay(length);
        await cdp.SendAsync("Tracing.end");
        await traced.Task.WaitAsync(TimeSpan.FromMinutes(1));
        cdp.Event("Tracing.dataCollected").OnEvent -= Collect;
        cdp.Event("Tracing.tracingComplete").OnEvent -= End;

        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(Artifacts(), "bench")).FullName, $"dashboard-{name}.trace.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { traceEvents = events }));
        static (long Pid, long Tid) Thread(JsonElement e) => (e.GetProperty("pid").GetInt64(), e.GetProperty("tid").GetInt64());
        var mains = events
            .Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name"
                && e.GetProperty("args").GetProperty("name").GetString() == "CrRendererMain")
            .Select(Thread).ToHashSet();
        var complete = events.Where(e => e.GetProperty("ph").GetString() == "X" && e.TryGetProperty("dur", out _) && mains.Contains(Thread(e))).ToList();
        var main = complete.GroupBy(Thread).MaxBy(g => g.Count());
        if (main is null)
        {
            Console.WriteLine($"Trace of the {name}: no event on a renderer's main thread.");
            return;
        }
        var self = new Dictionary<string, double>();
        var open = new Stack<(double End, string Name)>();
        foreach (var e in main.OrderBy(e => e.GetProperty("ts").GetDouble()).ThenByDescending(e => e.GetProperty("dur").GetDouble()))
        {
            var start = e.GetProperty("ts").GetDouble();
            var duration = e.GetProperty("dur").GetDouble();
            while (open.Count > 0 && open.Peek().End <= start)
                open.Pop();
            var eventName = e.GetProperty("name").GetString()!;
            self[eventName] = self.GetValueOrDefault(eventName) + duration;
            if (open.Count > 0)
                self[open.Peek().Name] -= duration;
            open.Push((start + duration, eventName));
        }
        var seconds = length.TotalSeconds;
        Console.WriteLine($"Trace of the {name}'s main thread, {seconds:F0} s ({file}): {self.Values.Sum() / 1e3 / seconds:F1} ms/s in events; by self time:");
        foreach (var (eventName, micros) in self.OrderByDescending(e => e.Value).Take(15))
            Console.WriteLine($"  {micros / 1e3 / seconds,8:F2} ms/s  {eventName}");
    }

    private static void Print(List<Window> windows)
    {
        Console.WriteLine();
        Console.WriteLine("| page | window | main thread busy (CPU) | script / style / layout | JS heap after GC, start → end | DOM nodes | long animation frames (≥ 50 ms) | Chromium CPU, all processes | with the frame probe: frames drawn of 60/s, busy | load average |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var w in windows)
        {
            var expected = w.Probed.Seconds * FrameRate;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {w.Name} | {w.Span.Seconds:F0} s | **{w.Span.Busy * 100:F1} %** ({w.Span.Cpu * 100:F1} %) | {w.Span.Script * 100:F1} / {w.Span.Style * 100:F1} / {w.Span.Layout * 100:F1} % | {w.HeapBefore / 1e6:F2} → {w.HeapAfter / 1e6:F2} MB ({(w.HeapAfter - w.HeapBefore) / 1e3:+0;-0} KB) | {w.NodesBefore} → {w.NodesAfter} | {w.LongFrames.LongFrames}, longest {w.LongFrames.Longest:F0} ms | {w.Span.Chromium * 100:F1} % of a core | {w.Frames.Frames} in {w.Probed.Seconds:F0} s, {Math.Max(0, expected - w.Frames.Frames) / expected * 100:F1} % dropped; {w.Frames.LongFrames} long; busy {w.Probed.Busy * 100:F1} % | {w.Load} |"));
        }
    }

    private static string Artifacts()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tyto.sln")))
                return Path.Combine(folder.FullName, "artifacts");
        }
        return Path.Combine(AppContext.BaseDirectory, "artifacts");
    }

    /// <summary>CPU time of the Chromium this process started: every process below it in the process tree.</summary>
    private static TimeSpan ChromiumCpu()
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var fields = File.ReadAllText(Path.Combine(directory, "stat")).Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while the tree was read.
            }
        }
        bool Below(int pid)
        {
            for (var p = pid; parents.TryGetValue(p, out var parent) && p > 1; p = parent)
            {
                if (parent == Environment.ProcessId)
                    return false;
                if (parents.TryGetValue(parent, out var grand) && grand == Environment.ProcessId)
                    return true;
            }
            return false;
        }
        // Playwright's driver is this process's child; the browser and its helpers are below the driver.
        return TimeSpan.FromSeconds(ticks.Where(e => Below(e.Key)).Sum(e => e.Value) / 100.0);
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private sealed record Window(
        string Name, Span Span, double HeapBefore, double HeapAfter, int NodesBefore, int NodesAfter, FrameCount LongFrames,
        Span Probed, FrameCount Frames, string Load);

    /// <summary>Shares of wall time over a span: the page's main thread busy (its tasks' wall time, and its CPU time), by kind, and all of Chromium's CPU.</summary>
    private sealed record Span(double Seconds, double Busy, double Cpu, double Script, double Style, double Layout, double Chromium);

    /// <summary>What <see cref="FrameCounter.Stop"/> returns (Playwright fills it through its setters).</summary>
    public sealed class FrameCount
    {
        public int Frames { get; set; }

        public int LongFrames { get; set; }

        public double Longest { get; set; }
    }

    /// <summary>
    /// The long animation frames (LoAF: a frame whose work took 50 ms or more, so that it delayed the next ones) and the
    /// longest, seen by a passive observer; with the probe on, also the frames drawn: one requestAnimationFrame callback
    /// per frame, against 60 a second.
    /// </summary>
    private static class FrameCounter
    {
        public const string Start = """
            (probe) => {
              const count = { frames: 0, long: 0, longest: 0, running: probe };
              const tick = () => { if (count.running) { count.frames++; requestAnimationFrame(tick); } };
              if (probe) requestAnimationFrame(tick);
              count.observer = new PerformanceObserver((list) => {
                for (const entry of list.getEntries()) {
                  count.long++;
                  count.longest = Math.max(count.longest, entry.duration);
                }
              });
              count.observer.observe({ type: 'long-animation-frame' });
              window.tytoBenchFrames = count;
            }
            """;

        public const string Stop = """
            () => {
              const count = window.tytoBenchFrames;
              count.running = false;
              count.observer.disconnect();
              delete window.tytoBenchFrames;
              return { frames: count.frames, longFrames: count.long, longest: count.longest };
            }
            """;
    }

    /// <summary>
    /// Each agent's samples: the server's own sample as the template, with <c>cores</c> cores and every charted value
    /// walking at random, so that each second changes what the pages show as a real host's samples do.
    /// </summary>
    private sealed class Walk(MetricsSample template, int cores, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly double[] _cores = Enumerable.Repeat(20.0, cores).ToArray();
        private double _memory = 0.4;
        private double _swap = 0.05;
        private double _load = 1;
        private double _used;
        private long _read;
        private long _written;
        private long _received;
        private long _sent;

        public MetricsSample Next(string id, DateTime at)
        {
            for (var i = 0; i < _cores.Length; i++)
                _cores[i] = Step(_cores[i], 8, 0, 100);
            var total = _cores.Average();
            _load = Step(_load, 0.2, 0, _cores.Length * 2);
            _memory = Step(_memory, 0.01, 0.1, 0.95);
            _swap = Step(_swap, 0.005, 0, 0.5);
            _used = Step(_used, 0.001, -0.05, 0.05);
            var memoryTotal = template.Memory.Total > 0 ? template.Memory.Total : 16L << 30;
            var swapTotal = template.Memory.SwapTotal > 0 ? template.Memory.SwapTotal : 4L << 30;
            var used = (long)(memoryTotal * _memory);
            var mounts = template.Disk.Mounts.Select(m =>
            {
                var mountUsed = Math.Clamp((long)(m.Used + (m.Total * _used)), 0, m.Total);
                return m with { Used = mountUsed, Free = m.Total - mountUsed };
            }).ToList();
            var io = template.Disk.Io.Select(d =>
            {
                var read = Rate(20e6);
                var write = Rate(40e6);
                _read += (long)read;
                _written += (long)write;
                return d with { ReadRate = read, WriteRate = write, ReadBytes = d.ReadBytes + _read, WriteBytes = d.WriteBytes + _written };
            }).ToList();
            var interfaces = template.Network.Interfaces.Select(n =>
            {
                var rx = Rate(50e6);
                var tx = Rate(10e6);
                _received += (long)rx;
                _sent += (long)tx;
                return n with { RxRate = rx, TxRate = tx, RxBytes = n.RxBytes + _received, TxBytes = n.TxBytes + _sent };
            }).ToList();
            return template with
            {
                AgentId = id,
                Timestamp = at,
                System = template.System with { Hostname = id },
                Cpu = new CpuSection(
                    [.. _cores.Select((usage, i) => new CpuCore(i, Math.Round(usage, 1), 2400))],
                    Math.Round(total, 1),
                    new LoadAverage(Math.Round(_load, 2), Math.Round(_load * 0.9, 2), Math.Round(_load * 0.8, 2))),
                Memory = template.Memory with
                {
                    Total = memoryTotal,
                    Used = used,
                    Available = memoryTotal - used,
                    Free = (memoryTotal - used) / 2,
                    SwapTotal = swapTotal,
                    SwapUsed = (long)(swapTotal * _swap),
                },
                Disk = new DiskSection(mounts, io),
                Network = template.Network with { Interfaces = interfaces },
            };
        }

        private double Step(double value, double size, double min, double max) =>
            Math.Clamp(value + ((_random.NextDouble() + _random.NextDouble() - 1) * size), min, max);

        private double Rate(double scale) => Math.Round(scale * _random.NextDouble() * _random.NextDouble());
    }
}
