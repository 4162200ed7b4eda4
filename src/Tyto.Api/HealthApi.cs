using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Tyto.Api;

public static class HealthApi
{
    public sealed record HealthResponse(string Status, string Version, long Uptime);

    public static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).AllowAnonymous().WithName("Health");
        return app;
    }

    /// <summary>Read once: each <see cref="Process.GetCurrentProcess"/> opens a handle that must be disposed.</summary>
    private static readonly DateTime Started = StartTime();

    private static Ok<HealthResponse> GetHealth() =>
        TypedResults.Ok(new HealthResponse("ok", Version, (long)(DateTime.UtcNow - Started).TotalSeconds));

    private static DateTime StartTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}
