using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tyto.Actors.Identity;
using Tyto.Actors.Persistence;

namespace Tyto.Api;

/// <summary>The error envelope of API.md: every failed request answers with one.</summary>
public sealed record ErrorResponse(string Error, string Code, IReadOnlyDictionary<string, object> Details);

/// <summary>Builders for error responses; codes are UPPER_SNAKE and stable for clients.</summary>
public static class ApiErrors
{
    private static readonly IReadOnlyDictionary<string, object> NoDetails = new Dictionary<string, object>();

    public static IResult Error(int status, string code, string message, IReadOnlyDictionary<string, object>? details = null) =>
        TypedResults.Json(new ErrorResponse(message, code, details ?? NoDetails), statusCode: status);

    public static IResult BadRequest(string code, string message, IReadOnlyDictionary<string, object>? details = null) =>
        Error(StatusCodes.Status400BadRequest, code, message, details);

    public static IResult Validation(string field, string problem) =>
        BadRequest("VALIDATION_FAILED", $"{field} {problem}", new Dictionary<string, object> { [field] = problem });

    public static IResult NotFound(string code, string message) => Error(StatusCodes.Status404NotFound, code, message);

    public static IResult Conflict(string code, string message) => Error(StatusCodes.Status409Conflict, code, message);

    /// <summary>The answer to a refused identity operation.</summary>
    public static IResult From(IdentityFailure failure) => Error(
        failure.Kind switch
        {
            IdentityFailureKind.NotFound => StatusCodes.Status404NotFound,
            IdentityFailureKind.InvalidCredentials => StatusCodes.Status401Unauthorized,
            IdentityFailureKind.Conflict => StatusCodes.Status409Conflict,
            IdentityFailureKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        },
        failure.Code, failure.Message, failure.Details);

    public static IResult AgentNotFound(string agentId) => NotFound("AGENT_NOT_FOUND", $"No agent '{agentId}'");

    /// <summary>The code and message for a bare status, for responses that carry no envelope of their own.</summary>
    public static (string Code, string Message) ForStatus(int status) => status switch
    {
        400 => ("BAD_REQUEST", "The request is not valid"),
        401 => ("UNAUTHORIZED", "A valid token is required"),
        403 => ("FORBIDDEN", "You do not have permission for this"),
        404 => ("NOT_FOUND", "No such resource"),
        405 => ("METHOD_NOT_ALLOWED", "This method is not allowed on this resource"),
        409 => ("CONFLICT", "The request conflicts with the current state"),
        413 => ("PAYLOAD_TOO_LARGE", "The request body is too large"),
        415 => ("UNSUPPORTED_MEDIA_TYPE", "The request body must be JSON"),
        429 => ("RATE_LIMITED", "Too many requests"),
        _ when status >= 500 => ("INTERNAL_ERROR", "An internal error occurred"),
        _ => ("ERROR", "The request failed"),
    };

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorResponse(message, code, NoDetails), ApiJson.Options), context.RequestAborted);
    }
}

/// <summary>
/// Turns every failure under <c>/api/</c> and of <c>/metrics</c> into the envelope: unreadable request bodies, unmatched routes and
/// methods, bare status codes, writes the database refused (503), and unhandled exceptions (500, never with a stack trace).
/// </summary>
public sealed partial class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var (code, _) = ApiErrors.ForStatus(e.StatusCode);
            var message = e.InnerException is JsonException ? "The request body is not valid JSON for this endpoint" : e.Message;
            await ApiErrors.WriteAsync(context, e.StatusCode, e.StatusCode == 400 ? "INVALID_REQUEST" : code, message);
            return;
        }
        catch (StoreUnavailableException e) when (!context.Response.HasStarted)
        {
            // The database refused the write (a full disk): nothing changed, and the same request may succeed later.
            await ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", e.Message);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, e, context.Request.Method, context.Request.Path);
            var (code, message) = ApiErrors.ForStatus(500);
            await ApiErrors.WriteAsync(context, 500, code, message);
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400 } &&
            (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/metrics")))
        {
            var (code, message) = ApiErrors.ForStatus(context.Response.StatusCode);
            await ApiErrors.WriteAsync(context, context.Response.StatusCode, code, message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
