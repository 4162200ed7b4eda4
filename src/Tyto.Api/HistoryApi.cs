using System.Runtime.CompilerServices;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;
using Tyto.Api.Auth;

namespace Tyto.Api;

public sealed record StatsDto(double Avg, double Min, double Max)
{
    /// <summary>The average rounded like the stored values it comes from, which keeps it between min and max.</summary>
    public static StatsDto From(Aggregate aggregate) => new(Math.Round(aggregate.Avg, 2), aggregate.Min, aggregate.Max);
}

public sealed record LoadDto(StatsDto One, StatsDto Five, StatsDto Fifteen);

public sealed record NetworkDto(StatsDto Rx, StatsDto Tx);

public sealed record DiskIoDto(StatsDto Read, StatsDto Write);

/// <summary>One point of <c>GET /api/v1/history</c>: a bucket (or a raw sample) with avg, min and max of every series.</summary>
public sealed record HistoryPointDto(
    DateTime Timestamp,
    int Samples,
    StatsDto Cpu,
    StatsDto Memory,
    StatsDto Swap,
    LoadDto Load,
    StatsDto Disk,
    NetworkDto Network,
    DiskIoDto Diskio,
    IReadOnlyDictionary<string, StatsDto> Mounts,
    IReadOnlyDictionary<string, NetworkDto> Interfaces)
{
    public static HistoryPointDto From(HistoryPoint point)
    {
        StatsDto Of(Series series) => StatsDto.From(point[series]);
        StatsDto Labelled(string kind, string label) => StatsDto.From(point.Labelled.GetValueOrDefault(new LabelledSeries(kind, label)));
        var interfaces = point.Labelled.Keys.Where(k => k.Kind is LabelledSeries.Rx or LabelledSeries.Tx).Select(k => k.Label).Distinct();
        return new HistoryPointDto(
            point.Timestamp,
            point.Samples,
            Of(Series.Cpu),
            Of(Series.Memory),
            Of(Series.Swap),
            new LoadDto(Of(Series.Load1), Of(Series.Load5), Of(Series.Load15)),
            Of(Series.Disk),
            new NetworkDto(Of(Series.NetworkRx), Of(Series.NetworkTx)),
            new DiskIoDto(Of(Series.DiskRead), Of(Series.DiskWrite)),
            point.Labelled.Where(p => p.Key.Kind == LabelledSeries.Mount).ToDictionary(p => p.Key.Label, p => StatsDto.From(p.Value)),
            interfaces.ToDictionary(name => name, name => new NetworkDto(Labelled(LabelledSeries.Rx, name), Labelled(LabelledSeries.Tx, name))));
    }
}

public sealed record HistoryResponse(DateTime From, DateTime To, string Resolution, string AgentId, IAsyncEnumerable<HistoryPointDto> Data);

/// <summary>A validated history range: whose, from when, until when, at which resolution.</summary>
public sealed record HistoryRange(string AgentId, DateTime From, DateTime To, Resolution Resolution)
{
    public async IAsyncEnumerable<HistoryPointDto> Points(HistoryStore store, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var point in store.ReadAsync(AgentId, From, To, Resolution, cancellationToken))
            yield return HistoryPointDto.From(point);
    }

    public HistoryResponse ToResponse(HistoryStore store, CancellationToken cancellationToken) =>
        new(From, To, Resolution.Name, AgentId, Points(store, cancellationToken));

    /// <summary>
    /// Reads the query of a history request: times (default the last hour), resolution (default, or <c>auto</c>:
    /// chosen by <see cref="HistoryStore.PlanAsync"/>) and agent. With <paramref name="limitPoints"/>, a range
    /// beyond <see cref="HistoryStore.MaxPoints"/> is refused with the resolution that fits.
    /// </summary>
    public static async Task<(HistoryRange? Range, IResult? Error)> ParseAsync(
        string? from, string? to, string? resolution, string? agentId, bool limitPoints,
        HistoryStore store, IRequiredActor<AgentRegion> agents, TytoOptions options, CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseTime(to, "to", out var end, out var error) || !QueryParameters.TryParseTime(from, "from", out var start, out error))
            return (null, error);
        var until = end ?? store.Clock.GetUtcNow().UtcDateTime;
        var since = start ?? (until - DateTime.MinValue < TimeSpan.FromHours(1) ? DateTime.MinValue : until.AddHours(-1));
        if (since >= until)
            return (null, ApiErrors.BadRequest("INVALID_RANGE", "from must be before to", new Dictionary<string, object> { ["from"] = "must be before to" }));
        Resolution? requested = null;
        if (resolution is not (null or "auto") && (requested = Resolution.Parse(resolution)) is null)
        {
            var names = string.Join(", ", Resolution.All.Select(r => r.Name).Append("auto"));
            return (null, ApiErrors.BadRequest("UNKNOWN_RESOLUTION", $"Resolution '{resolution}' is not one of {names}",
                new Dictionary<string, object> { ["resolution"] = $"must be one of {names}" }));
        }
        var agent = agentId ?? options.Agent.Id;
        if (await Agents.FindAsync(agents, agent, cancellationToken) is null)
            return (null, ApiErrors.AgentNotFound(agent));
        if (requested is not null && !limitPoints)
            return (new HistoryRange(agent, since, until, requested), null);

        var plan = await store.PlanAsync(agent, since, until, requested, cancellationToken);
        if (limitPoints && plan.TooMany)
        {
            var advice = plan.Fits is { } fits ? $"use resolution {fits.Name} or coarser" : "narrow the range";
            var details = new Dictionary<string, object> { ["resolution"] = $"gives more than {HistoryStore.MaxPoints} points" };
            if (plan.Fits is not null)
                details["fits"] = plan.Fits.Name;
            return (null, ApiErrors.BadRequest("TOO_MANY_POINTS",
                $"This range gives more than {HistoryStore.MaxPoints} points at resolution {plan.Resolution.Name}; {advice}", details));
        }
        return (new HistoryRange(agent, since, until, plan.Resolution), null);
    }
}

/// <summary>Metrics history: raw samples and 1m, 5m and 1h rollups.</summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/history", History).RequirePermission(Permissions.HistoryRead).WithName("History").Produces<HistoryResponse>().ProducesErrors(404);
        return app;
    }

    private static async Task<IResult> History(
        string? from, string? to, string? resolution, [FromQuery(Name = "agent_id")] string? agentId,
        HistoryStore store, IRequiredActor<AgentRegion> agents, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        var (range, error) = await HistoryRange.ParseAsync(from, to, resolution, agentId, limitPoints: true, store, agents, options.Value, cancellationToken);
        return error ?? TypedResults.Ok(range!.ToResponse(store, cancellationToken));
    }
}
