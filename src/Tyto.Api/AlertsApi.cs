using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Alerts;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

public sealed record ThresholdDto(double Warning, double Critical)
{
    public static ThresholdDto From(Threshold threshold) => new(threshold.Warning, threshold.Critical);
}

/// <summary>The <c>config</c> of API.md's alerts: warning and critical lines per alert type.</summary>
public sealed record AlertConfigDto(ThresholdDto Cpu, ThresholdDto Memory, ThresholdDto Disk)
{
    public static AlertConfigDto From(AlertThresholds thresholds) =>
        new(ThresholdDto.From(thresholds.Cpu), ThresholdDto.From(thresholds.Memory), ThresholdDto.From(thresholds.Disk));
}

/// <summary>Alerts: their thresholds so far; active alerts, acknowledgement and history follow.</summary>
public static class AlertsApi
{
    private static readonly Dictionary<string, AlertType> Types = Enum.GetValues<AlertType>().ToDictionary(t => t.ToString().ToLowerInvariant());

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/v1/alerts");
        alerts.MapPost("/config", ChangeConfig).RequirePermission(Permissions.AlertsConfigure);
        return app;
    }

    /// <summary>Merges any subset of the thresholds; any problem refuses the whole change.</summary>
    private static async Task<IResult> ChangeConfig(JsonElement body, IRequiredActor<AlertConfigSingleton> config, CancellationToken cancellationToken)
    {
        var (changes, problems) = ReadChanges(body);
        if (problems.Count == 0)
        {
            var answer = await config.ActorRef.Ask<object>(new ChangeThresholds(changes), Agents.AskTimeout, cancellationToken);
            if (answer is ThresholdsAccepted accepted)
                return TypedResults.Ok(AlertConfigDto.From(accepted.Thresholds));
            problems = [.. ((ThresholdsRejected)answer).Problems];
        }
        return ApiErrors.BadRequest("VALIDATION_FAILED", string.Join("; ", problems.Select(p => $"{p.Field} {p.Problem}")),
            problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => (object)g.First().Problem));
    }

    /// <summary>Reads <c>{"cpu": {"warning": 80, "critical": 95}, …}</c>, naming every unknown key and every value that is not a number.</summary>
    private static (List<ThresholdChange> Changes, List<ThresholdProblem> Problems) ReadChanges(JsonElement body)
    {
        var changes = new List<ThresholdChange>();
        var problems = new List<ThresholdProblem>();
        if (body.ValueKind != JsonValueKind.Object)
            return (changes, [new ThresholdProblem("body", "must be an object of cpu, memory and disk thresholds")]);
        foreach (var type in body.EnumerateObject())
        {
            if (!Types.TryGetValue(type.Name, out var alertType))
            {
                problems.Add(new ThresholdProblem(type.Name, "is not an alert type; use cpu, memory or disk"));
                continue;
            }
            if (type.Value.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new ThresholdProblem(type.Name, "must be an object with warning and critical"));
                continue;
            }
            double? warning = null, critical = null;
            foreach (var line in type.Value.EnumerateObject())
            {
                var field = $"{type.Name}.{line.Name}";
                if (line.Name is not ("warning" or "critical"))
                    problems.Add(new ThresholdProblem(field, "is not a threshold; use warning or critical"));
                else if (line.Value.ValueKind != JsonValueKind.Number || !line.Value.TryGetDouble(out var value))
                    problems.Add(new ThresholdProblem(field, "must be a number from 0 to 100"));
                else if (line.Name == "warning")
                    warning = value;
                else
                    critical = value;
            }
            changes.Add(new ThresholdChange(alertType, warning, critical));
        }
        return (changes, problems);
    }
}
