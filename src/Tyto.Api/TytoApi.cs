using Akka.Actor;
using Akka.Streams;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Alerts;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Wires the HTTP edge: JSON conventions, authentication, authorization, the error envelope and every endpoint group.</summary>
public static class TytoApi
{
    public static IServiceCollection AddTytoApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // Unreadable bodies throw, so the error middleware can answer them in the envelope.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton(sp => new LoginThrottle(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<TytoOptions>>().Value.Auth.LoginThrottle));
        services.AddSingleton(sp => MetricsHub.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton(sp => LatestSamples.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton(sp => new AlertHistory(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton(sp => AlertsHub.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<IMaterializer>(sp => sp.GetRequiredService<ActorSystem>().Materializer());
        return services;
    }

    public static WebApplication UseTytoApi(this WebApplication app)
    {
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthorization();
        app.MapHealthApi()
            .MapAuthApi()
            .MapStreamApi()
            .MapProcessesApi()
            .MapSettingsApi()
            .MapHistoryApi()
            .MapExportApi()
            .MapAlertsApi()
            .MapUsersApi()
            .MapRolesApi()
            .MapAuditApi()
            .MapPrometheusApi(app.Services.GetRequiredService<IOptions<TytoOptions>>().Value.Prometheus.AllowAnonymous);
        return app;
    }
}
