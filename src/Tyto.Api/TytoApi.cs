using Akka.Actor;
using Akka.Streams;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Identity;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Api.AgentChannel;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Wires the HTTP edge: JSON conventions, authentication, authorization, the error envelope, every endpoint group and their description.</summary>
public static class TytoApi
{
    /// <summary>The largest request body any endpoint reads: 64 KiB.</summary>
    public const long MaxRequestBodySize = 64 * 1024;

    public static IServiceCollection AddTytoApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // Unreadable bodies throw, so the error middleware can answer them in the envelope.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddApiDocument();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton(sp => new LoginThrottle(
            sp.GetRequiredService<TytoDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<TytoOptions>>().Value.Auth.LoginThrottle));
        services.AddHostedService<IdentityRetention>();
        // Every API body is small JSON; endpoints that take less say so with RequestSizeLimit metadata.
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodySize);
        // The request lines of this category carry query strings, and with them the SSE streams' access_token.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        services.AddSingleton(sp => MetricsHub.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton(sp => LatestSamples.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<AlertBoard>();
        services.AddSingleton(sp => AlertsHub.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton(sp => AgentDirectory.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<IMaterializer>(sp => sp.GetRequiredService<ActorSystem>().Materializer());
        services.AddSingleton(sp => new LiveFrames(
            sp.GetRequiredService<MetricsHub>().Samples, sp.GetRequiredService<AlertsHub>().Events, sp.GetRequiredService<IMaterializer>(), SseFrame.Metrics));
        services.AddSingleton(sp => LogHub.Get(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<LogFrames>();
        services.AddSingleton<SseConnections>();
        services.AddAgentEndpoint();
        return services;
    }

    public static WebApplication UseTytoApi(this WebApplication app)
    {
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseAgentEndpoint();
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
            .MapAgentsApi()
            .MapUsersApi()
            .MapRolesApi()
            .MapAuditApi()
            .MapLogsApi()
            .MapPrometheusApi(app.Services.GetRequiredService<IOptions<TytoOptions>>().Value.Prometheus.AllowAnonymous)
            .MapApiDocument()
            .MapAgentEndpoint();
        return app;
    }
}
