using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Reading the audit log.</summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;

    public sealed record AuditEntry(
        long Id, DateTime Timestamp, string? UserId, string? Username, string Action, string? Target, int Status, string Outcome, string? ClientAddress, int Count);

    public sealed record AuditResponse(IReadOnlyList<AuditEntry> Entries, int Total);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", Query).RequirePermission(Permissions.AuditRead).WithName("AuditLog").Produces<AuditResponse>();
        return app;
    }

    private static async Task<IResult> Query(string? from, string? to, string? user, string? limit, string? offset, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!QueryParameters.TryParseTime(from, "from", out var fromTime, out var error) ||
            !QueryParameters.TryParseTime(to, "to", out var toTime, out error) ||
            !QueryParameters.TryParseInt(limit, "limit", 1, AuditLog.MaxLimit, DefaultLimit, out var take, out error) ||
            !QueryParameters.TryParseInt(offset, "offset", 0, int.MaxValue, 0, out var skip, out error))
            return error!;
        if (fromTime > toTime)
            return ApiErrors.Validation("from", "must not be after 'to'");
        var (entries, total) = await audit.QueryAsync(new AuditQuery(fromTime, toTime, user, take, skip), cancellationToken);
        return TypedResults.Ok(new AuditResponse(
            entries.Select(e => new AuditEntry(e.Id, e.At, e.UserId, e.Username, e.Action, e.Target, e.Status, e.Outcome, e.ClientAddress, e.Count)).ToList(),
            total));
    }
}

/// <summary>
/// Records the state-changing requests under <c>/api/</c> of signed-in users (who, when, what, target, outcome,
/// client address) in the audit log, and of anonymous ones only sign-ins and registrations: each success, and
/// failed sign-ins counted on one row per username and address within the login throttle's window. Anonymous
/// noise and refused attempts (429) leave no trace. Request bodies are never read, so passwords and tokens
/// cannot leak into it.
/// </summary>
public sealed partial class AuditMiddleware(RequestDelegate next, AuditLog audit, TimeProvider clock, IOptions<TytoOptions> options, ILogger<AuditMiddleware> logger)
{
    /// <summary>Set by login and registration: the username an anonymous request acted for.</summary>
    public const string ActorItem = "tyto:audit-actor";

    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method) ||
            !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            await RecordAsync(context, status);
        }
    }

    private async Task RecordAsync(HttpContext context, int status)
    {
        var signedIn = context.User.Identity?.IsAuthenticated == true;
        var actor = context.Items[ActorItem] as string;
        var failedSignIn = !signedIn && actor is not null && status == StatusCodes.Status401Unauthorized;
        if (!signedIn && (actor is null || status >= 400) && !failedSignIn)
            return;

        var endpoint = context.GetEndpoint() as RouteEndpoint;
        // What was acted on: the route's values, or for a creation the new resource's location.
        var target = string.Join(',', context.Request.RouteValues.Select(v => $"{v.Key}={v.Value}"));
        if (target.Length == 0)
            target = context.Response.Headers.Location.ToString();
        var record = new AuditRecord
        {
            At = clock.GetUtcNow().UtcDateTime,
            UserId = signedIn ? context.User.UserId() : null,
            Username = context.User.FindFirstValue(ClaimTypes.Name) ?? actor,
            Action = $"{context.Request.Method} {(endpoint?.RoutePattern.RawText ?? context.Request.Path.Value)?.TrimEnd('/')}",
            Target = target.Length == 0 ? null : target,
            Status = status,
            Outcome = status switch
            {
                < 400 => "success",
                401 or 403 or 429 => "denied",
                _ => "failure",
            },
            ClientAddress = context.ClientAddress(),
        };
        try
        {
            if (failedSignIn)
                await audit.CountFailedSignInAsync(record, options.Value.Auth.LoginThrottle.Window, CancellationToken.None);
            else
                await audit.WriteAsync(record, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(logger, e, record.Action);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit record of {Action}")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string action);
}
