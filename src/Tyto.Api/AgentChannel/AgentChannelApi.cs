using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tyto.Actors.Agents;
using Tyto.Actors.Collection;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Collection.Channel;

namespace Tyto.Api.AgentChannel;

/// <summary>What every agent connection uses: the agents region, the settings singleton, history and its receipts, the hubs.</summary>
public sealed class AgentChannels(
    ActorSystem system, IRequiredActor<AgentRegion> region, IRequiredActor<CollectionSettingsSingleton> settings, HistoryStore history,
    MetricsHub hub, LogHub logs, IMaterializer materializer, ILogger<AgentListener> logger)
{
    private long _connections;

    public ActorSystem System => system;

    public IActorRef Region => region.ActorRef;

    public IActorRef Settings => settings.ActorRef;

    public HistoryStore History => history;

    public MetricsHub Hub => hub;

    public HistoryReceipts Receipts { get; } = HistoryReceipts.Get(system);

    public LogHub Logs => logs;

    public IMaterializer Materializer => materializer;

    public ILogger Logger => logger;

    public string NextActorName(string agentId) => $"agent-connection-{agentId}-{Interlocked.Increment(ref _connections)}";
}

/// <summary>The agent endpoint: enrollment, the WebSocket channel of enrolled agents, and the separation from the API.</summary>
public static partial class AgentChannelApi
{
    public static IServiceCollection AddAgentEndpoint(this IServiceCollection services) =>
        services
            .AddSingleton<AgentListener>()
            .AddSingleton<AgentChannels>()
            .AddAgentEnrollmentRateLimit();

    /// <summary>The middleware of the agent endpoint; call early, so that the API's own middleware never sees an agent request.</summary>
    public static WebApplication UseAgentEndpoint(this WebApplication app)
    {
        app.UseMiddleware<AgentPathsMiddleware>();
        app.UseRateLimiter();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = AgentWire.HeartbeatInterval, KeepAliveTimeout = AgentWire.HeartbeatTimeout });
        return app;
    }

    public static IEndpointRouteBuilder MapAgentEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapAgentEnrollmentApi();
        app.MapGet(AgentWire.ChannelPath, Connect).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Takes an agent's WebSocket once its client certificate (checked at the handshake) names it; without one 401, with one
    /// no longer valid or revoked since the handshake 403, both before upgrading.
    /// </summary>
    private static async Task<IResult> Connect(
        HttpContext context, CertificateAuthority authority, AgentDirectory directory, AgentChannels channels, IHostApplicationLifetime lifetime)
    {
        var remote = context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null;
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
        if (certificate is null)
            return Refuse(channels.Logger, remote, null, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "The channel needs the client certificate issued at enrollment");
        if (!authority.Verify(certificate, out var agentId, out var serial, out var error))
            return Refuse(channels.Logger, remote, agentId, StatusCodes.Status403Forbidden, "FORBIDDEN", $"The client certificate is not valid: {error}");
        if (directory.IsRevoked(serial))
            return Refuse(channels.Logger, remote, agentId, StatusCodes.Status403Forbidden, "AGENT_REVOKED", $"The certificate of agent '{agentId}' is revoked");
        if (!context.WebSockets.IsWebSocketRequest)
            return Refuse(channels.Logger, remote, agentId, StatusCodes.Status400BadRequest, "INVALID_REQUEST", "The channel is a WebSocket");
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var connection = new AgentConnection(socket, agentId, serial, remote, channels);
        await connection.RunAsync(lifetime.ApplicationStopping);
        return Results.Empty;
    }

    private static IResult Refuse(ILogger logger, IPEndPoint? remote, string? agentId, int status, string code, string message)
    {
        LogRefused(logger, remote, agentId, code, message);
        return ApiErrors.Error(status, code, message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the channel of agent '{AgentId}' from {Remote}: {Code}, {Reason}")]
    private static partial void LogRefused(ILogger logger, IPEndPoint? remote, string? agentId, string code, string reason);
}
