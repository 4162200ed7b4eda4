using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tyto.Api.Tests;

public sealed class ErrorEnvelopeMiddlewareTests
{
    [Fact]
    public async Task An_actor_that_does_not_answer_in_time_is_a_503_envelope_not_a_500()
    {
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        var middleware = new ErrorEnvelopeMiddleware(_ => throw new AskTimeoutException("Timeout after 00:00:10 seconds"), NullLogger<ErrorEnvelopeMiddleware>.Instance);

        await middleware.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("SERVER_UNAVAILABLE", body.RootElement.GetProperty("code").GetString());
    }
}
