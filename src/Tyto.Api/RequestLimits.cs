using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Tyto.Api;

/// <summary>
/// The request line and header limits, enforced here so that a refused request still gets the error envelope: Kestrel refuses
/// what passes its own limits with an empty body, so those are raised well above these (<see cref="RaiseServerLimits"/>).
/// </summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next)
{
    public const int MaxTargetLength = 8 * 1024;
    public const int MaxHeadersSize = 32 * 1024;
    public const int MaxHeaderCount = 100;

    /// <summary>How far past these limits Kestrel lets a request through to be refused here.</summary>
    private const int ServerHeadroom = 8;

    public static void RaiseServerLimits(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = MaxTargetLength * ServerHeadroom;
        limits.MaxRequestHeadersTotalSize = MaxHeadersSize * ServerHeadroom;
        limits.MaxRequestHeaderCount = MaxHeaderCount * ServerHeadroom;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if ((context.Features.Get<IHttpRequestFeature>()?.RawTarget.Length ?? 0) > MaxTargetLength)
            return ApiErrors.WriteAsync(context, StatusCodes.Status414UriTooLong, "URI_TOO_LONG", $"The request target is longer than {MaxTargetLength} characters");
        var (count, size) = (0, 0);
        foreach (var (name, values) in context.Request.Headers)
        {
            count += values.Count;
            size += values.Sum(v => name.Length + (v?.Length ?? 0) + 4);
        }
        if (count > MaxHeaderCount || size > MaxHeadersSize)
        {
            return ApiErrors.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "HEADERS_TOO_LARGE",
                $"The request headers are more than {MaxHeaderCount} fields or {MaxHeadersSize} bytes");
        }
        return next(context);
    }
}
