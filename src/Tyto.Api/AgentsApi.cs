using System.Security.Claims;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Api.AgentChannel;
using Tyto.Api.Auth;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>The fleet: agents, their pre-registration with a one-time token, approval of pending ones, revocation and removal.</summary>
public static class AgentsApi
{
    /// <summary>The longest name an agent may be given.</summary>
    public const int MaxNameLength = 128;

    public sealed record CertificateResponse(string Serial, DateTime ExpiresAt);

    public sealed record AgentResponse(
        string Id, string Name, string Hostname, string Status, string Architecture, string Os, DateTime? LastSeen, DateTime RegisteredAt,
        long Buffered, long Dropped, string? Version, CertificateResponse? Certificate)
    {
        public static AgentResponse From(AgentView a) => new(
            a.Id, a.Name, a.Hostname, a.Status, a.Architecture, a.Os, a.LastSeen, a.RegisteredAt, a.Buffered, a.Dropped, a.Version,
            a.Certificate is { } c ? new CertificateResponse(c.Serial, c.ExpiresAt) : null);
    }

    public sealed record AgentsResponse(IReadOnlyList<AgentResponse> Agents);

    public sealed record AddAgentRequest(string? Id, string? Name);

    /// <summary>What an agent needs to enroll: the token (shown this once), the CA fingerprint to pin, and the endpoint to use.</summary>
    public sealed record EnrollmentResponse(string Token, DateTime ExpiresAt, string CaFingerprint, string Server);

    public sealed record AddedAgentResponse(
        string Id, string Name, string Hostname, string Status, string Architecture, string Os, DateTime? LastSeen, DateTime RegisteredAt,
        long Buffered, long Dropped, string? Version, CertificateResponse? Certificate, EnrollmentResponse Enrollment);

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/v1/agents");
        agents.MapGet("", List).RequirePermission(Permissions.AgentsRead).WithName("ListAgents").Produces<AgentsResponse>();
        agents.MapGet("/pending", ListPending).RequirePermission(Permissions.AgentsRead).WithName("ListPendingAgents").Produces<AgentsResponse>();
        agents.MapGet("/{id}", Get).RequirePermission(Permissions.AgentsRead).WithName("GetAgent").Produces<AgentResponse>().ProducesErrors(404);
        agents.MapPost("", Add).RequirePermission(Permissions.AgentsWrite).WithName("AddAgent").Produces<AddedAgentResponse>(201).ProducesErrors(409);
        agents.MapDelete("/{id}", Remove).RequirePermission(Permissions.AgentsWrite).WithName("RemoveAgent").Produces(204).ProducesErrors(404, 409);
        agents.MapPost("/{id}/revoke", Revoke).RequirePermission(Permissions.AgentsRevoke).WithName("RevokeAgent").Produces<AgentResponse>().ProducesErrors(404, 409);
        agents.MapPost("/pending/{id}/approve", Approve).RequirePermission(Permissions.AgentsApprove).WithName("ApproveAgent").Produces<AgentResponse>().ProducesErrors(404, 409);
        agents.MapPost("/pending/{id}/reject", Reject).RequirePermission(Permissions.AgentsApprove).WithName("RejectAgent").Produces(204).ProducesErrors(404, 409);
        return app;
    }

    private static async Task<IResult> List(IRequiredActor<AgentRegion> agents, AgentDirectory directory, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AgentsResponse([.. (await Agents.ViewsAsync(agents, directory.AgentIds(time.GetUtcNow().UtcDateTime), cancellationToken)).Select(AgentResponse.From)]));

    private static async Task<IResult> ListPending(IRequiredActor<AgentRegion> agents, AgentDirectory directory, TimeProvider time, CancellationToken cancellationToken)
    {
        var views = await Agents.ViewsAsync(agents, directory.PendingIds(time.GetUtcNow().UtcDateTime), cancellationToken);
        return TypedResults.Ok(new AgentsResponse([.. views.Where(a => a.Status == "pending").Select(AgentResponse.From)]));
    }

    private static async Task<IResult> Get(string id, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken) =>
        AgentIds.IsValid(id) && await Agents.FindAsync(agents, id, cancellationToken) is { } agent
            ? TypedResults.Ok(AgentResponse.From(agent))
            : ApiErrors.AgentNotFound(id);

    /// <summary>Pre-registers an agent and hands out its one-time enrollment token; only the token's hash is kept.</summary>
    private static async Task<IResult> Add(
        AddAgentRequest request, HttpContext context, ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, CertificateAuthority authority,
        AgentListener listener, IOptions<TytoOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Id))
            return ApiErrors.Validation("id", "is required");
        if (!AgentIds.IsValid(request.Id))
            return ApiErrors.Validation("id", AgentIds.Rule);
        if (request.Id == "local" || request.Id == options.Value.Agent.Id)
            return ApiErrors.Validation("id", $"'{request.Id}' is reserved for the server's own host");
        var name = string.IsNullOrWhiteSpace(request.Name) ? request.Id : request.Name.Trim();
        if (name.Length > MaxNameLength)
            return ApiErrors.Validation("name", $"must be at most {MaxNameLength} characters");

        var token = EnrollmentSecrets.NewToken();
        var expiresAt = time.GetUtcNow().UtcDateTime + AgentState.PendingLifetime;
        var reply = await Agents.AskAsync<AgentReply>(
            agents, new PreRegisterAgent(request.Id, name, EnrollmentSecrets.Hash(token), expiresAt, user.FindFirstValue(ClaimTypes.Name) ?? ""), cancellationToken);
        if (reply.Agent is not { } a)
            return Refused(request.Id, reply);
        var enrollment = new EnrollmentResponse(token, expiresAt, authority.Fingerprint, AgentServer(listener.Url, context.Request.Host.Host));
        return TypedResults.Created($"/api/v1/agents/{a.Id}", new AddedAgentResponse(
            a.Id, a.Name, a.Hostname, a.Status, a.Architecture, a.Os, a.LastSeen, a.RegisteredAt, a.Buffered, a.Dropped, a.Version, null, enrollment));
    }

    private static async Task<IResult> Remove(string id, ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken) =>
        await CommandAsync(agents, id, new RemoveAgent(id, By(user)), cancellationToken) is { } refused ? refused : TypedResults.NoContent();

    private static async Task<IResult> Revoke(string id, ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken) =>
        await AgentAfterAsync(agents, id, new RevokeAgent(id, By(user)), cancellationToken);

    private static async Task<IResult> Approve(string id, ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken) =>
        await AgentAfterAsync(agents, id, new ApproveAgent(id, By(user)), cancellationToken);

    private static async Task<IResult> Reject(string id, ClaimsPrincipal user, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken) =>
        await CommandAsync(agents, id, new RejectAgent(id, By(user)), cancellationToken) is { } refused ? refused : TypedResults.NoContent();

    /// <summary>The agent endpoint as an agent reaches it: the bound address, where unspecified the host the caller used.</summary>
    internal static string AgentServer(string listen, string requestHost)
    {
        var server = new UriBuilder(listen);
        if (server.Host is "0.0.0.0" or "[::]" or "::")
            server.Host = requestHost;
        return server.Uri.GetLeftPart(UriPartial.Authority);
    }

    private static string By(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>The agent after the command, or the refusal.</summary>
    private static async Task<IResult> AgentAfterAsync(IRequiredActor<AgentRegion> agents, string id, IWithAgentId command, CancellationToken cancellationToken)
    {
        if (!AgentIds.IsValid(id))
            return ApiErrors.AgentNotFound(id);
        var reply = await Agents.AskAsync<AgentReply>(agents, command, cancellationToken);
        return reply.Agent is { } agent ? TypedResults.Ok(AgentResponse.From(agent)) : Refused(id, reply);
    }

    /// <summary>Null when the command was carried out, else the refusal.</summary>
    private static async Task<IResult?> CommandAsync(IRequiredActor<AgentRegion> agents, string id, IWithAgentId command, CancellationToken cancellationToken)
    {
        if (!AgentIds.IsValid(id))
            return ApiErrors.AgentNotFound(id);
        var reply = await Agents.AskAsync<AgentReply>(agents, command, cancellationToken);
        return reply.ErrorCode is null ? null : Refused(id, reply);
    }

    private static IResult Refused(string id, AgentReply reply) => reply.ErrorCode switch
    {
        "NOT_FOUND" => ApiErrors.AgentNotFound(id),
        _ => ApiErrors.Conflict(reply.ErrorCode ?? "CONFLICT", reply.Message ?? $"Agent '{id}' cannot do that now"),
    };
}
