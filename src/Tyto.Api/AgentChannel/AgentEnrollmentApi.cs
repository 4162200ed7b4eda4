using System.Net;
using System.Threading.RateLimiting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Api.AgentChannel;

/// <summary>
/// Enrollment on the agent endpoint, open to the network: bounded bodies, a rate limit per address, every input checked
/// before the agent's entity is asked, and every refusal logged with the address and why.
/// </summary>
public static partial class AgentEnrollmentApi
{
    public const string RateLimitPolicy = "agent-enrollment";

    /// <summary>Requests one address may send at once; then one more every <see cref="RateLimitReplenishment"/>.</summary>
    public const int RateLimitBurst = 30;

    public const int PollAfterSeconds = 10;
    public const int MaxNameLength = 256;
    public const int MinSecretLength = 32;
    public const int MaxSecretLength = 256;

    public static readonly TimeSpan RateLimitReplenishment = TimeSpan.FromSeconds(2);

    /// <summary>The agent ids that name this server's own host.</summary>
    public const string ReservedId = "local";

    public static IServiceCollection AddAgentEnrollmentRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.Connection.RemoteIpAddress ?? IPAddress.None,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = RateLimitBurst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = RateLimitReplenishment,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = (rejected, _) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : RateLimitReplenishment;
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                LogRefused(Logger(context), context.Request.Path, context.Connection.RemoteIpAddress, null, "RATE_LIMITED", "too many requests from this address");
                var (code, message) = ApiErrors.ForStatus(StatusCodes.Status429TooManyRequests);
                return new ValueTask(ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, code, message));
            };
        });

    public static IEndpointRouteBuilder MapAgentEnrollmentApi(this IEndpointRouteBuilder app)
    {
        var enrollment = app.MapGroup("")
            .AllowAnonymous()
            .ExcludeFromDescription()
            .RequireRateLimiting(RateLimitPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(AgentWire.MaxEnrollmentBytes));
        enrollment.MapPost(AgentWire.EnrollPath, Enroll);
        enrollment.MapPost(AgentWire.PollPath, Poll);
        // Linux never sends the root in the TLS handshake: an agent fetches the CA here and checks it against its pin.
        enrollment.MapGet(AgentWire.CaPath, (CertificateAuthority authority) => Results.Text(authority.CertificatePem, "application/x-pem-file"));
        return app;
    }

    /// <summary>Why <paramref name="agentId"/> cannot be an enrolled agent's id (field problem), or null.</summary>
    public static string? IdProblem(string? agentId, string ownId) =>
        !AgentIds.IsValid(agentId) ? AgentIds.Rule
        : agentId == ReservedId || agentId == ownId ? "is reserved for this server's own host"
        : null;

    private static async Task<IResult> Enroll(
        EnrollmentRequest request, HttpContext context, IRequiredActor<AgentRegion> agents, CertificateAuthority authority, IOptions<TytoOptions> options,
        CancellationToken cancellationToken)
    {
        if (Check(request, options.Value.Agent.Id) is var (field, problem))
            return Refuse(context, request.AgentId, StatusCodes.Status400BadRequest, "INVALID_REQUEST", $"{field} {problem}", field, problem);
        try
        {
            CertificateAuthority.CheckCsr(request.Csr);
        }
        catch (InvalidCsrException e)
        {
            return Refuse(context, request.AgentId, StatusCodes.Status400BadRequest, "INVALID_CSR", e.Message, "csr", "is not a valid certificate signing request");
        }
        var reply = await agents.ActorRef.Ask<EnrollmentReply>(
            new RequestEnrollment(
                request.AgentId, request.Name, request.Hostname, request.Os, request.Architecture, request.Csr,
                request.Token is { } token ? EnrollmentSecrets.Hash(token) : null, request.Secret is { } secret ? EnrollmentSecrets.Hash(secret) : null),
            Agents.AskTimeout,
            cancellationToken);
        return Answer(context, request.AgentId, reply, authority);
    }

    private static async Task<IResult> Poll(
        EnrollmentPoll poll, HttpContext context, IRequiredActor<AgentRegion> agents, CertificateAuthority authority, IOptions<TytoOptions> options,
        CancellationToken cancellationToken)
    {
        if (IdProblem(poll.AgentId, options.Value.Agent.Id) is { } idProblem)
            return Refuse(context, poll.AgentId, StatusCodes.Status400BadRequest, "INVALID_REQUEST", $"agent_id {idProblem}", "agent_id", idProblem);
        if (SecretProblem(poll.Secret) is { } secretProblem)
            return Refuse(context, poll.AgentId, StatusCodes.Status400BadRequest, "INVALID_REQUEST", $"secret {secretProblem}", "secret", secretProblem);
        var reply = await agents.ActorRef.Ask<EnrollmentReply>(new PollEnrollment(poll.AgentId, EnrollmentSecrets.Hash(poll.Secret)), Agents.AskTimeout, cancellationToken);
        return Answer(context, poll.AgentId, reply, authority);
    }

    /// <summary>The first field of the request that is wrong, and what is wrong with it.</summary>
    private static (string Field, string Problem)? Check(EnrollmentRequest request, string ownId)
    {
        if (IdProblem(request.AgentId, ownId) is { } id)
            return ("agent_id", id);
        foreach (var (field, value) in new[] { ("name", request.Name), ("hostname", request.Hostname), ("os", request.Os), ("architecture", request.Architecture) })
        {
            if (value is null)
                return (field, "is required");
            if (value.Length > MaxNameLength)
                return (field, $"must be at most {MaxNameLength} characters");
        }
        if (string.IsNullOrWhiteSpace(request.Csr))
            return ("csr", "is required");
        if (request.Token is null && request.Secret is null)
            return ("token", "or secret is required");
        if (request.Token is { Length: 0 or > MaxSecretLength })
            return ("token", $"must be 1 to {MaxSecretLength} characters");
        return request.Secret is not null && SecretProblem(request.Secret) is { } secret ? ("secret", secret) : null;
    }

    private static string? SecretProblem(string? secret) =>
        secret is { Length: >= MinSecretLength and <= MaxSecretLength } ? null : $"must be {MinSecretLength} to {MaxSecretLength} characters";

    private static IResult Answer(HttpContext context, string agentId, EnrollmentReply reply, CertificateAuthority authority)
    {
        if (reply.Certificate is { } certificate)
        {
            var logger = Logger(context);
            LogApproved(logger, agentId, context.Connection.RemoteIpAddress);
            return TypedResults.Json(new EnrollmentAnswer(EnrollmentStatus.Approved, certificate, authority.CertificatePem, null), AgentWire.Json);
        }
        if (reply.Pending)
            return TypedResults.Json(new EnrollmentAnswer(EnrollmentStatus.Pending, null, null, PollAfterSeconds), AgentWire.Json, statusCode: StatusCodes.Status202Accepted);
        var code = reply.ErrorCode!;
        return Refuse(context, agentId, StatusOf(code), code, reply.Message ?? code, null, null);
    }

    private static int StatusOf(string code) => code switch
    {
        "INVALID_TOKEN" => StatusCodes.Status401Unauthorized,
        "INVALID_CSR" => StatusCodes.Status400BadRequest,
        "ENROLLMENT_REJECTED" or "AGENT_REVOKED" or "AGENT_REMOVED" => StatusCodes.Status403Forbidden,
        "NOT_FOUND" => StatusCodes.Status404NotFound,
        "AGENT_EXISTS" or "NOT_PENDING" => StatusCodes.Status409Conflict,
        "PENDING_FULL" => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    private static IResult Refuse(HttpContext context, string? agentId, int status, string code, string message, string? field, string? problem)
    {
        LogRefused(Logger(context), context.Request.Path, context.Connection.RemoteIpAddress, agentId, code, message);
        return ApiErrors.Error(status, code, message, field is null ? null : new Dictionary<string, object> { [field] = problem! });
    }

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILogger<AgentListener>>();

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent '{AgentId}' enrolled from {Remote}")]
    private static partial void LogApproved(ILogger logger, string agentId, IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} from {Remote} for agent '{AgentId}': {Code}, {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, IPAddress? remote, string? agentId, string code, string reason);
}
