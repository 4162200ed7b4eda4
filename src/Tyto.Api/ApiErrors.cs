using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        408 => ("REQUEST_TIMEOUT", "The request body did not arrive in time"),
        409 => ("CONFLICT", "The request conflicts with the current state"),
        413 => ("PAYLOAD_TOO_LARGE", "The request body is too large"),
        414 => ("URI_TOO_LONG", "The request target is too long"),
        415 => ("UNSUPPORTED_MEDIA_TYPE", "The request body must be JSON"),
        429 => ("RATE_LIMITED", "Too many requests"),
        431 => ("HEADERS_TOO_LARGE", "The request headers are too large"),
        _ when status >= 500 => ("INTERNAL_ERROR", "An internal error occurred"),
        _ => ("ERROR", "The request failed"),
    };

    public static Task WriteAsync(HttpContext context, int status, string code, string message, IReadOnlyDictionary<string, object>? details = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(message, code, details ?? NoDetails), ApiJson.Options);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}

/// <summary>
/// Turns every failure into the envelope: unreadable request bodies (naming the property at fault, never the framework's text),
/// unmatched routes and methods, bare status codes, writes the database refused and actors that did not answer in time
/// (503), and unhandled exceptions (500, never with a stack trace).
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
            await WriteBadRequestAsync(context, e);
            return;
        }
        catch (StoreUnavailableException e) when (!context.Response.HasStarted)
        {
            // The database refused the write (a full disk): nothing changed, and the same request may succeed later.
            await ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", e.Message);
            return;
        }
        catch (AskTimeoutException) when (!context.Response.HasStarted)
        {
            // An actor of the cluster did not answer in time: its node is gone and its shards or singletons are moving.
            await ApiErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "SERVER_UNAVAILABLE",
                "The server could not answer in time (a node of the cluster may be moving its work); try again shortly");
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

        if (context.Response is { HasStarted: false, StatusCode: >= 400 })
        {
            var (code, message) = ApiErrors.ForStatus(context.Response.StatusCode);
            await ApiErrors.WriteAsync(context, context.Response.StatusCode, code, message);
        }
    }

    /// <summary>A body the endpoint could not read: what is wrong with it, or that it is missing.</summary>
    private static Task WriteBadRequestAsync(HttpContext context, BadHttpRequestException e)
    {
        var bodyType = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (e.StatusCode != StatusCodes.Status400BadRequest || (bodyType is null && e.InnerException is not JsonException))
        {
            var (code, message) = ApiErrors.ForStatus(e.StatusCode);
            return ApiErrors.WriteAsync(context, e.StatusCode, code, message);
        }
        var (problem, details) = e.InnerException is JsonException json
            ? JsonBodyErrors.Explain(json, bodyType, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
            : ("The request body is required", new Dictionary<string, object> { ["body"] = "is required" });
        return ApiErrors.WriteAsync(context, e.StatusCode, "INVALID_REQUEST", problem, details);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
