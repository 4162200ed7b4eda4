using Akka.Hosting;
using Akka.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>The live stream: metrics samples and alert events.</summary>
public static class StreamApi
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/stream", Stream).RequirePermission(Permissions.MetricsRead).WithName("Stream").Produces<string>(200, "text/event-stream").ProducesErrors(404).AllowAccessTokenQuery();
        return app;
    }

    private static async Task<IResult> Stream(
        [FromQuery(Name = "agent_id")] string? agentId, HttpContext context, IdentityStore identity, IRequiredActor<AgentRegion> agents, LiveFrames live,
        SseConnections connections, IMaterializer materializer, CancellationToken cancellationToken)
    {
        if (agentId is not null && await Agents.FindAsync(agents, agentId, cancellationToken) is null)
            return ApiErrors.AgentNotFound(agentId);
        var subscriber = new SseSubscriber(live.Frames, agentId);
        return ServerSentEventsResult.WhilePermitted(subscriber.Frames(SseSubscriber.KeepAliveInterval), Permissions.MetricsRead, context, identity, materializer, connections);
    }
}
