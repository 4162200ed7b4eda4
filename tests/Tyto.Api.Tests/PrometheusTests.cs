using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed partial class PrometheusTests(SharedHost shared)
{
    [Fact]
    public async Task Metrics_is_valid_exposition_text_of_the_current_sample()
    {
        var text = await ScrapeAsync(shared.Admin);
        var samples = Exposition.Parse(text);

        Assert.Equal(Environment.ProcessorCount, samples.Count(s => s.Name == "tyto_cpu_usage_percent"));
        Assert.Contains(samples, s => s.Name == "tyto_cpu_usage_percent" && s.Labels == """agent_id="local",core="0" """.Trim());
        var total = samples.Single(s => s.Name == "tyto_memory_total_bytes").Value;
        Assert.Equal(MemTotalBytes(), total);
        Assert.InRange(samples.Single(s => s.Name == "tyto_memory_used_bytes").Value, 1, total);
        Assert.Contains(samples, s => s.Name == "tyto_disk_used_bytes" && s.Labels.Contains("mountpoint=\"/\"", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "tyto_network_receive_bytes_total" && s.Labels.Contains("interface=\"lo\"", StringComparison.Ordinal));
        Assert.Single(samples, s => s.Name == "tyto_load1");
        Assert.All(samples.Where(s => !s.Name.StartsWith("tyto_cluster_", StringComparison.Ordinal)),
            s => Assert.StartsWith("agent_id=\"local\"", s.Labels, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_has_the_cluster_gauges_of_a_cluster_of_one()
    {
        var samples = Exposition.Parse(await ScrapeAsync(shared.Admin));

        Assert.Equal(1, samples.Single(s => s.Name == "tyto_cluster_members" && s.Labels == "status=\"up\"").Value);
        Assert.Equal(0, samples.Single(s => s.Name == "tyto_cluster_unreachable_members").Value);
        var shards = samples.Single(s => s.Name == "tyto_cluster_shards");
        Assert.StartsWith("node=\"akka.ssl.tcp://tyto@", shards.Labels, StringComparison.Ordinal);
        Assert.True(shards.Value >= 1, "the local agent's shard runs on the one node");
        Assert.True(samples.Single(s => s.Name == "tyto_cluster_agent_entities").Value >= 1, "the local agent's entity runs on the one node");
        Assert.Equal(1, samples.Single(s => s.Name == "tyto_cluster_local_agent_entity" && s.Labels == "agent_id=\"local\"").Value);
    }

    /// <summary>./test.sh provides promtool (from Debian's prometheus package) and names it in TYTO_PROMTOOL; without it the test is skipped, visibly.</summary>
    [SkippableFact]
    public async Task Promtool_accepts_the_exposition()
    {
        var promtool = Exposition.FindPromtool();
        Skip.If(promtool is null, "promtool is not installed: ./test.sh unpacks Debian's prometheus package, or name promtool in TYTO_PROMTOOL");
        var text = await ScrapeAsync(shared.Admin);
        var start = new ProcessStartInfo(promtool, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var errors = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
    }

    [Fact]
    public async Task Metrics_needs_a_token_unless_anonymous_scrapes_are_allowed()
    {
        using var anonymous = await shared.Host.Client.GetAsync("/metrics");
        await anonymous.ErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var dataDir = TytoHost.NewDataDir();
        await using (var open = await TytoHost.StartAsync(dataDir, "--Tyto:Prometheus:AllowAnonymous=true"))
            Exposition.Parse(await ScrapeAsync(open.Client));
        TytoHost.DeleteDataDir(dataDir);
    }

    /// <summary>Scrapes until the first sample is in; a fresh host needs a tick.</summary>
    private static Task<string> ScrapeAsync(HttpClient client) =>
        Poll.ForAsync(
            async () =>
            {
                using var response = await client.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var contentType = response.Content.Headers.ContentType!;
                Assert.Equal("text/plain", contentType.MediaType);
                Assert.Contains(contentType.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
                return await response.Content.ReadAsStringAsync();
            },
            text => text.Length > 0,
            "a sample to scrape",
            TimeSpan.FromSeconds(30));

    private static double MemTotalBytes()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024.0;
    }
}

/// <summary>A strict reader of the Prometheus text exposition format, to check what <c>/metrics</c> writes.</summary>
public static partial class Exposition
{
    public sealed record Sample(string Name, string Labels, double Value);

    /// <summary>
    /// Parses every line, failing on anything the format does not allow: each family has one HELP and one TYPE
    /// before its samples, its samples are contiguous, and label values are properly quoted and escaped.
    /// </summary>
    public static IReadOnlyList<Sample> Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var samples = new List<Sample>();
        var typed = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        var finished = new HashSet<string>();
        string? current = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (HelpLine().Match(line) is { Success: true } help)
            {
                Assert.True(helped.Add(help.Groups[1].Value), $"second HELP: {line}");
                continue;
            }
            if (TypeLine().Match(line) is { Success: true } type)
            {
                Assert.True(typed.TryAdd(type.Groups[1].Value, type.Groups[2].Value), $"second TYPE: {line}");
                continue;
            }
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not an exposition line: '{line}'");
            var name = sample.Groups[1].Value;
            Assert.True(typed.ContainsKey(name) && helped.Contains(name), $"sample before its HELP and TYPE: {line}");
            if (name != current)
            {
                Assert.True(current is null || finished.Add(current), $"family {current} is split");
                Assert.DoesNotContain(name, finished);
                current = name;
            }
            if (typed[name] == "counter")
                Assert.EndsWith("_total", name, StringComparison.Ordinal);
            samples.Add(new Sample(name, sample.Groups[2].Value, double.Parse(sample.Groups[3].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture)));
        }
        Assert.NotEmpty(samples);
        return samples;
    }

    /// <summary>TYTO_PROMTOOL when set (and then it must exist), else promtool on the PATH, else none.</summary>
    public static string? FindPromtool()
    {
        if (Environment.GetEnvironmentVariable("TYTO_PROMTOOL") is { Length: > 0 } configured)
        {
            Assert.True(File.Exists(configured), $"TYTO_PROMTOOL names {configured}, which does not exist");
            return configured;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "promtool")).FirstOrDefault(File.Exists);
    }

    [GeneratedRegex("""^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$""")]
    private static partial Regex HelpLine();

    [GeneratedRegex("""^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$""")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (-?[0-9][0-9.e+-]*|NaN|[+-]Inf)$""")]
    private static partial Regex SampleLine();
}
