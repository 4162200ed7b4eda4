using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Collection;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Server-wide settings.</summary>
public static class SettingsApi
{
    public sealed record RefreshRequest(int? Interval);

    public sealed record RefreshResponse(int Interval);

    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/settings/refresh", ReadRefresh).RequirePermission(Permissions.SettingsRead).WithName("GetRefreshInterval").Produces<RefreshResponse>();
        app.MapPost("/api/v1/settings/refresh", ChangeRefresh).RequirePermission(Permissions.SettingsWrite).WithName("ChangeRefreshInterval").Produces<RefreshResponse>();
        return app;
    }

    private static async Task<IResult> ReadRefresh(IRequiredActor<CollectionSettingsSingleton> settings, CancellationToken cancellationToken)
    {
        var current = await settings.ActorRef.Ask<CollectionSettings>(GetCollectionSettings.Instance, Agents.AskTimeout, cancellationToken);
        return TypedResults.Ok(new RefreshResponse(current.RefreshIntervalSeconds));
    }

    private static async Task<IResult> ChangeRefresh(RefreshRequest request, IRequiredActor<CollectionSettingsSingleton> settings, CancellationToken cancellationToken)
    {
        if (request.Interval is not { } seconds)
            return ApiErrors.Validation("interval", "is required");
        if (seconds is < ChangeRefreshInterval.MinSeconds or > ChangeRefreshInterval.MaxSeconds)
            return ApiErrors.Validation("interval", $"must be between {ChangeRefreshInterval.MinSeconds} and {ChangeRefreshInterval.MaxSeconds} seconds");
        var applied = await settings.ActorRef.Ask<CollectionSettings>(new ChangeRefreshInterval(seconds), Agents.AskTimeout, cancellationToken);
        return TypedResults.Ok(new RefreshResponse(applied.RefreshIntervalSeconds));
    }
}
