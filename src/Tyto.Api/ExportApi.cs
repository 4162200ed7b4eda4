using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using CsvHelper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Downloads of the current sample (CSV: one row per metric path) or of history over a range, as JSON or CSV.</summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/export/metrics", ExportMetrics).RequirePermission(Permissions.MetricsRead).WithName("ExportMetrics").Produces(200, null, "application/json", "text/csv").ProducesErrors(404);
        return app;
    }

    private static async Task<IResult> ExportMetrics(
        string? format, string? from, string? to, string? resolution, [FromQuery(Name = "agent_id")] string? agentId,
        ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, HistoryStore history, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        format = (format ?? "json").ToLowerInvariant();
        if (format is not ("json" or "csv"))
            return ApiErrors.BadRequest("UNSUPPORTED_FORMAT", $"Format '{format}' is not supported; use json or csv", new Dictionary<string, object> { ["format"] = "must be json or csv" });
        if (from is not null || to is not null || resolution is not null)
        {
            if (!user.HasPermission(Permissions.HistoryRead))
                return ApiErrors.Error(StatusCodes.Status403Forbidden, "FORBIDDEN", $"Exporting history also needs the permission {Permissions.HistoryRead}");
            return await ExportHistory(format, from, to, resolution, agentId, agents, history, options.Value, cancellationToken);
        }

        var agent = agentId ?? options.Value.Agent.Id;
        if (await Agents.FindAsync(agents, agent, cancellationToken) is null)
            return ApiErrors.AgentNotFound(agent);
        var latest = await agents.ActorRef.Ask<LatestSample>(new GetLatestSample(agent), Agents.AskTimeout, cancellationToken);
        if (latest.Sample is not { } sample)
            return ApiErrors.NotFound("NO_SAMPLE", $"Agent '{agent}' has not sent a sample yet");

        var json = JsonSerializer.SerializeToElement(sample, ApiJson.Metrics);
        var fileName = $"tyto-metrics-{agent}-{sample.Timestamp:yyyyMMddTHHmmssZ}.{format}";
        return format == "json"
            ? TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(json, ApiJson.Metrics), "application/json", fileName)
            : TypedResults.File(ToCsv(json), "text/csv", fileName);
    }

    /// <summary>History over a range, streamed as it is read: no size limit, so no point limit either.</summary>
    private static async Task<IResult> ExportHistory(
        string format, string? from, string? to, string? resolution, string? agentId,
        IRequiredActor<AgentRegion> agents, HistoryStore history, TytoOptions options, CancellationToken cancellationToken)
    {
        var (range, error) = await HistoryRange.ParseAsync(from, to, resolution, agentId, limitPoints: false, history, agents, options, cancellationToken);
        if (range is null)
            return error!;
        var fileName = $"tyto-history-{range.AgentId}-{range.Resolution.Name}-{range.From:yyyyMMddTHHmmssZ}-{range.To:yyyyMMddTHHmmssZ}.{format}";
        return format == "json"
            ? new DownloadResult(fileName, "application/json", (body, ct) => JsonSerializer.SerializeAsync(body, range.ToResponse(history, ct), ApiJson.Options, ct))
            : new DownloadResult(fileName, "text/csv", (body, ct) => WriteHistoryCsvAsync(body, range, history, ct));
    }

    /// <summary>
    /// One row per timestamp and one column per series statistic (<c>cpu.avg</c>, <c>mounts./.max</c>,
    /// <c>interfaces.eth0.rx.min</c>); the per-mount and per-interface columns are found by a first pass.
    /// </summary>
    private static async Task WriteHistoryCsvAsync(Stream body, HistoryRange range, HistoryStore history, CancellationToken cancellationToken)
    {
        var labelled = await history.LabelledSeriesAsync(range.AgentId, range.From, range.To, range.Resolution, cancellationToken);
        List<(string Name, Func<HistoryPointDto, StatsDto?> Stats)> series =
        [
            ("cpu", p => p.Cpu), ("memory", p => p.Memory), ("swap", p => p.Swap),
            ("load.one", p => p.Load.One), ("load.five", p => p.Load.Five), ("load.fifteen", p => p.Load.Fifteen),
            ("disk", p => p.Disk), ("network.rx", p => p.Network.Rx), ("network.tx", p => p.Network.Tx),
            ("diskio.read", p => p.Diskio.Read), ("diskio.write", p => p.Diskio.Write),
            .. labelled.OrderBy(l => l.Kind != LabelledSeries.Mount).ThenBy(l => l.Label, StringComparer.Ordinal).Select<LabelledSeries, (string, Func<HistoryPointDto, StatsDto?>)>(l => l.Kind switch
            {
                LabelledSeries.Mount => ($"mounts.{l.Label}", p => p.Mounts.GetValueOrDefault(l.Label)),
                LabelledSeries.Rx => ($"interfaces.{l.Label}.rx", p => p.Interfaces.GetValueOrDefault(l.Label)?.Rx),
                _ => ($"interfaces.{l.Label}.tx", p => p.Interfaces.GetValueOrDefault(l.Label)?.Tx),
            }),
        ];

        await using var csv = CsvWriter.Create(body, leaveOpen: true);
        csv.WriteField("timestamp");
        csv.WriteField("samples");
        foreach (var (name, _) in series)
        {
            csv.WriteField($"{name}.avg");
            csv.WriteField($"{name}.min");
            csv.WriteField($"{name}.max");
        }
        await csv.EndRecordAsync(cancellationToken);
        await foreach (var point in range.Points(history, cancellationToken))
        {
            csv.WriteField(point.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.FFFZ", CultureInfo.InvariantCulture));
            csv.WriteField(point.Samples.ToString(CultureInfo.InvariantCulture));
            foreach (var (_, stats) in series)
            {
                var value = stats(point);
                csv.WriteField(value?.Avg.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(value?.Min.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(value?.Max.ToString(CultureInfo.InvariantCulture));
            }
            await csv.EndRecordAsync(cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    /// <summary>One row per leaf of the sample, named by its dotted path (<c>cpu.cores.0.usage</c>).</summary>
    private static byte[] ToCsv(JsonElement sample)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(writer))
        {
            csv.WriteField("metric");
            csv.WriteField("value");
            csv.EndRecord();
            foreach (var (path, value) in Leaves(sample, ""))
            {
                csv.WriteField(path);
                csv.WriteField(value);
                csv.EndRecord();
            }
        }
        return Encoding.UTF8.GetBytes(writer.ToString());
    }

    private static IEnumerable<(string Path, string Value)> Leaves(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Leaves(p.Value, Join(path, p.Name))),
        JsonValueKind.Array => element.EnumerateArray().SelectMany((item, i) => Leaves(item, Join(path, i.ToString(CultureInfo.InvariantCulture)))),
        JsonValueKind.String => [(path, element.GetString()!)],
        JsonValueKind.Null => [(path, "")],
        _ => [(path, element.GetRawText())],
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

/// <summary>A file download whose content is written straight to the response as it is produced.</summary>
public sealed class DownloadResult(string fileName, string contentType, Func<Stream, CancellationToken, Task> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = contentType;
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = fileName }.ToString();
        await write(response.Body, httpContext.RequestAborted);
    }
}
