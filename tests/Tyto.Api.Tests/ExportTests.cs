using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

[Collection(SharedHostGroup.Name)]
public sealed class ExportTests(SharedHost shared)
{
    [Fact]
    public async Task Json_export_is_the_current_sample()
    {
        var sample = await WaitForExportAsync("json");
        var body = JsonDocument.Parse(sample).RootElement;
        Assert.Equal("local", body.GetProperty("agentId").GetString());
        Assert.Equal(Environment.ProcessorCount, body.GetProperty("cpu").GetProperty("cores").GetArrayLength());
        Assert.True(body.GetProperty("memory").GetProperty("total").GetInt64() > 0);
    }

    [Fact]
    public async Task Csv_export_has_one_row_per_metric_path()
    {
        var text = await WaitForExportAsync("csv");
        using var csv = CsvReader.Create(new StringReader(text));
        var rows = new Dictionary<string, string>();
        foreach (var row in csv)
            rows.Add(row.GetString(0), row.GetString(1));
        Assert.Equal(["metric", "value"], csv.Headers);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), rows["system.hostname"]);
        Assert.True(long.Parse(rows["memory.total"], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("0", rows["cpu.cores.0.id"]);
        Assert.Contains("processes.topByCpu.0.name", rows.Keys);
        Assert.Equal("false", rows["gpu.available"]);
    }

    [Fact]
    public async Task Unknown_format_is_400_and_unknown_agent_404()
    {
        using var xml = await shared.Admin.GetAsync("/api/v1/export/metrics?format=xml");
        await xml.ErrorAsync(HttpStatusCode.BadRequest, "UNSUPPORTED_FORMAT");
        using var agent = await shared.Admin.GetAsync("/api/v1/export/metrics?format=csv&agent_id=ghost");
        await agent.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
    }

    /// <summary>The first sample of a fresh host may still be on its way.</summary>
    private async Task<string> WaitForExportAsync(string format)
    {
        string? body = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await shared.Admin.GetAsync($"/api/v1/export/metrics?format={format}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await response.ErrorAsync(HttpStatusCode.NotFound, "NO_SAMPLE");
                    return false;
                }
                Assert.Equal(format == "json" ? "application/json" : "text/csv", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains($".{format}", response.Content.Headers.ContentDisposition?.FileName, StringComparison.Ordinal);
                body = await response.Content.ReadAsStringAsync();
                return true;
            },
            "a sample to export",
            TimeSpan.FromSeconds(30));
        return body!;
    }
}
