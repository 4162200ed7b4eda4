using System.Diagnostics;
using System.Reflection;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Persistence;

namespace Tyto.Api;

public static class HealthApi
{
    /// <summary>API.md's health, and beside it the database (<c>degraded</c> while it refuses writes) and the cluster as this node sees it.</summary>
    public sealed record HealthResponse(string Status, string Version, long Uptime, StoreStatus Store, ClusterHealth Cluster);

    /// <summary><c>ok</c>, or <c>unavailable</c> since the first of the writes that have failed since the last one that succeeded.</summary>
    public sealed record StoreStatus(string Status, DateTime? FailingSince);

    public static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).AllowAnonymous().WithName("Health");
        return app;
    }

    /// <summary>Read once: each <see cref="Process.GetCurrentProcess"/> opens a handle that must be disposed.</summary>
    private static readonly DateTime Started = StartTime();

    private static Ok<HealthResponse> GetHealth(ActorSystem system)
    {
        var failingSince = StoreHealth.Get(system).FailingSince;
        return TypedResults.Ok(new HealthResponse(
            failingSince is null ? "ok" : "degraded", Version, (long)(DateTime.UtcNow - Started).TotalSeconds,
            new StoreStatus(failingSince is null ? "ok" : "unavailable", failingSince),
            ClusterStatus.Health(system)));
    }

    private static DateTime StartTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}
