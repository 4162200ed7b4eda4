using System.Security.Claims;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Agents;
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

/// <summary>One alert as API.md shows it, with the mount of disk alerts and who acknowledged it.</summary>
public sealed record AlertDto(
    string Id, string Type, string? Mount, string Level, double Value, double Threshold, string AgentId, DateTime CreatedAt,
    bool Acknowledged, string? AcknowledgedBy, DateTime? AcknowledgedAt)
{
    public static AlertDto From(ActiveAlert alert) => new(
        alert.AlertId, Name(alert.Type), alert.Mount, Name(alert.Level), alert.Value, alert.Threshold, alert.AgentId, alert.RaisedAt,
        alert.AcknowledgedBy is not null, alert.AcknowledgedBy, alert.AcknowledgedAt);

    public static string Name<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>
/// One alert event, as the history lists it and the live stream pushes it (<c>event: alert</c>): what happened
/// to which alert, when, and for acknowledgements by whom.
/// </summary>
public sealed record AlertEventDto(
    string Kind, string AlertId, string AgentId, string? Type, string? Mount, string? Level, double? Value, double? Threshold, string? User, DateTime Timestamp)
{
    /// <summary>
    /// Agent, type and mount come from the alert's raise where it is known (<paramref name="origin"/>); otherwise the
    /// agent is the first part of the alert id (<c>web-1:cpu:3</c>) and type and mount stay unnamed.
    /// </summary>
    public static AlertEventDto From(IAlertEvent @event, AlertOrigin? origin = null)
    {
        origin ??= @event is AlertRaised raised ? AlertOrigin.Of(raised) : null;
        var agentId = origin?.AgentId ?? @event.AlertId[..Math.Max(0, @event.AlertId.IndexOf(':', StringComparison.Ordinal))];
        var (type, mount) = origin is null ? (null, null) : (AlertDto.Name(origin.Type), origin.Mount);
        return @event switch
        {
            AlertRaised e => new("raised", e.AlertId, agentId, type, mount, AlertDto.Name(e.Level), e.Value, e.Threshold, null, e.At),
            AlertLevelChanged e => new("level_changed", e.AlertId, agentId, type, mount, AlertDto.Name(e.Level), e.Value, e.Threshold, null, e.At),
            AlertAcknowledged e => new("acknowledged", e.AlertId, agentId, type, mount, null, null, null, e.By, e.At),
            AlertResolved e => new("resolved", e.AlertId, agentId, type, mount, null, e.Value, null, null, e.At),
            _ => throw new ArgumentException($"Unknown alert event {@event.GetType().Name}", nameof(@event)),
        };
    }
}

public sealed record AlertsResponse(IReadOnlyList<AlertDto> Alerts, AlertConfigDto Config, DateTime? At);

public sealed record AlertHistoryResponse(IReadOnlyList<AlertEventDto> Events, int Total, int Limit, int Offset);

/// <summary>Alerts: the active board (now or at any past instant) and the history from the alert board's tables, and the thresholds.</summary>
public static class AlertsApi
{
    private static readonly Dictionary<string, AlertType> Types = Enum.GetValues<AlertType>().ToDictionary(t => t.ToString().ToLowerInvariant());

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/v1/alerts");
        alerts.MapGet("", Active).RequirePermission(Permissions.AlertsRead).WithName("ActiveAlerts").Produces<AlertsResponse>().ProducesErrors(404);
        alerts.MapGet("/history", History).RequirePermission(Permissions.AlertsRead).WithName("AlertHistory").Produces<AlertHistoryResponse>();
        alerts.MapPost("/config", ChangeConfig).RequirePermission(Permissions.AlertsConfigure).WithName("ChangeAlertConfig").Produces<AlertConfigDto>();
        alerts.MapPost("/{id}/acknowledge", Acknowledge).RequirePermission(Permissions.AlertsAcknowledge).WithName("AcknowledgeAlert").Produces<AlertDto>().ProducesErrors(404, 409);
        return app;
    }

    /// <summary>The alerts active now, or (<c>?at=</c>) at a past instant, replayed from the alert board; and the thresholds.</summary>
    private static async Task<IResult> Active(
        [FromQuery(Name = "agent_id")] string? agentId, string? at, AlertBoard board, ActorSystem system, IRequiredActor<AlertConfigSingleton> config,
        IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseTime(at, "at", out var instant, out var error))
            return error!;
        if (agentId is not null && await Agents.FindAsync(agents, agentId, cancellationToken) is null)
            return ApiErrors.AgentNotFound(agentId);
        // A page reloads the board when its stream opens: the board must hold what the stream already passed.
        if (instant is null)
            await AlertProjection.CatchUpUntilAsync(system, board, () => board.HoldsJournalAsync(cancellationToken), cancellationToken);
        var active = (await board.ActiveAtAsync(instant, agentId, cancellationToken)).Select(AlertDto.From).ToList();
        var thresholds = await config.ActorRef.Ask<AlertThresholds>(GetThresholds.Instance, Agents.AskTimeout, cancellationToken);
        return TypedResults.Ok(new AlertsResponse(active, AlertConfigDto.From(thresholds), instant));
    }

    /// <summary>
    /// Records who acknowledged an active alert; again is harmless, an unknown alert 404, a resolved one 409. An alert
    /// raised a moment ago is found too, and the board shows the acknowledgement as soon as the answer comes.
    /// </summary>
    private static async Task<IResult> Acknowledge(
        string id, ClaimsPrincipal user, AlertBoard board, ActorSystem system, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken)
    {
        var raised = await board.RaisedAsync(id, cancellationToken);
        if (raised is null)
        {
            await AlertProjection.CatchUpAsync(system, board, cancellationToken);
            raised = await board.RaisedAsync(id, cancellationToken);
        }
        if (raised is null)
            return ApiErrors.NotFound("ALERT_NOT_FOUND", $"No alert '{id}'");
        var by = user.FindFirstValue(ClaimTypes.Name) ?? "";
        var result = await agents.ActorRef.Ask<AcknowledgeResult>(
            new AcknowledgeAgentAlert(raised.AgentId, id, raised.Type, raised.Mount, by), Agents.AskTimeout, cancellationToken);
        if (result.Alert is not null)
        {
            await AlertProjection.CatchUpUntilAsync(system, board, async () =>
                (await board.ActiveAtAsync(null, raised.AgentId, cancellationToken)).Any(a => a.AlertId == id && a.AcknowledgedBy is not null), cancellationToken);
        }
        return result.Alert is { } alert
            ? TypedResults.Ok(AlertDto.From(alert))
            : ApiErrors.Conflict("ALERT_RESOLVED", $"Alert '{id}' is resolved; only active alerts can be acknowledged");
    }

    /// <summary>The alert events in the order they happened, filtered and paged.</summary>
    private static async Task<IResult> History(
        string? from, string? to, [FromQuery(Name = "agent_id")] string? agentId, string? type, string? limit, string? offset,
        AlertBoard board, ActorSystem system, CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseTime(from, "from", out var since, out var error) ||
            !QueryParameters.TryParseTime(to, "to", out var until, out error) ||
            !QueryParameters.TryParseInt(limit, "limit", 1, 1000, 100, out var take, out error) ||
            !QueryParameters.TryParseInt(offset, "offset", 0, int.MaxValue, 0, out var skip, out error))
            return error!;
        if (since >= until)
            return ApiErrors.BadRequest("INVALID_RANGE", "from must be before to", new Dictionary<string, object> { ["from"] = "must be before to" });
        if (type is not null && !Types.ContainsKey(type))
            return ApiErrors.Validation("type", "must be cpu, memory or disk");
        // A page reloads the history on each event of its stream: the board must hold that event.
        await AlertProjection.CatchUpUntilAsync(system, board, () => board.HoldsJournalAsync(cancellationToken), cancellationToken);

        var (page, total) = await board.HistoryAsync(since, until, agentId, type is null ? null : Types[type], skip, take, cancellationToken);
        return TypedResults.Ok(new AlertHistoryResponse([.. page.Select(e => AlertEventDto.From(e.Event, e.Origin))], total, take, skip));
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
