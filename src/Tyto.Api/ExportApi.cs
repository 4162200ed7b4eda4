using System.Globalization;
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
using Tyto.Actors;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Downloads of the current sample as JSON or as CSV (one row per metric path).</summary>
public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/export/metrics", ExportMetrics).RequirePermission(Permissions.MetricsRead);
        return app;
    }

    private static async Task<IResult> ExportMetrics(
        string? format, [FromQuery(Name = "agent_id")] string? agentId, IRequiredActor<AgentRegion> agents, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        format = (format ?? "json").ToLowerInvariant();
        if (format is not ("json" or "csv"))
            return ApiErrors.BadRequest("UNSUPPORTED_FORMAT", $"Format '{format}' is not supported; use json or csv", new Dictionary<string, object> { ["format"] = "must be json or csv" });
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
