using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>
/// The API describes itself: an OpenAPI document generated from the endpoints, with each one's permission and
/// error envelope, at <see cref="DocumentPath"/>, and a reference page rendered from it at <see cref="ReferencePath"/>.
/// </summary>
public static class ApiDocument
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";
    private const string DocumentName = "v1";

    /// <summary>The extension naming the permission an operation requires, or <see cref="SignedIn"/>.</summary>
    public const string PermissionExtension = "x-permission";

    /// <summary>The <see cref="PermissionExtension"/> of an operation open to every signed-in user.</summary>
    public const string SignedIn = "signed-in";

    private const string BearerScheme = "bearer";
    private const string Envelope = nameof(ErrorResponse);

    /// <summary>
    /// The framework's handler takes the document's name from the query string too, and answers an unknown one in plain
    /// text: there is one document, and any other name is a 404 in the envelope.
    /// </summary>
    private static ValueTask<object?> OnlyThisDocument(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.Arguments.OfType<string>().All(name => name == DocumentName)
            ? next(context)
            : ValueTask.FromResult<object?>(ApiErrors.NotFound("NOT_FOUND", $"The only API document is {DocumentPath}"));

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(DescribeDocumentAsync);
            options.AddOperationTransformer(DescribeOperation);
        });

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous().AddEndpointFilter(OnlyThisDocument);
        // The page's script is served from the package, and it loads no fonts from elsewhere: it works offline.
        app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("Tyto API")
                .WithOpenApiRoutePattern(DocumentPath)
                .DisableDefaultFonts())
            .AllowAnonymous();
        return app;
    }

    /// <summary>Declares the errors an endpoint answers beyond those its inputs and permission imply, each in the envelope.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
            builder.Produces<ErrorResponse>(status);
        return builder;
    }

    private static async Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Tyto",
            Version = "v1",
            Description = $"""
                Every error answers the envelope `{Envelope}`. Operations that are not public take a session token
                (`POST /api/v1/auth/login`) as `Authorization: Bearer <token>`; `{PermissionExtension}` names the permission
                they require, or `{SignedIn}` when any signed-in user may call them.
                """,
        };
        // Relative to wherever the server answers.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = BearerScheme,
            Description = "A session token from POST /api/v1/auth/login",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(Envelope))
            document.Components.Schemas[Envelope] = await context.GetOrCreateSchemaAsync(typeof(ErrorResponse), cancellationToken: cancellationToken);
    }

    /// <summary>Adds who may call the operation and the envelope of every error it can answer.</summary>
    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var permission = metadata.OfType<IAllowAnonymous>().Any() ? null : metadata.OfType<PermissionMetadata>().LastOrDefault();
        operation.Responses ??= new OpenApiResponses();
        if (permission is null)
        {
            operation.Description = Join(operation.Description, "Public.");
        }
        else
        {
            var required = permission.Permission ?? SignedIn;
            operation.Description = Join(operation.Description, permission.Permission is null ? "Requires a signed-in user." : $"Requires the permission `{required}`.");
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[PermissionExtension] = new JsonNodeExtension(JsonValue.Create(required));
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            AddError(operation, StatusCodes.Status401Unauthorized, context);
            if (permission.Permission is not null)
                AddError(operation, StatusCodes.Status403Forbidden, context);
        }
        if (context.Description.ParameterDescriptions.Count > 0)
            AddError(operation, StatusCodes.Status400BadRequest, context);
        foreach (var (status, _) in operation.Responses.Where(r => r.Key[0] is '4' or '5').ToList())
            AddError(operation, int.Parse(status, CultureInfo.InvariantCulture), context);
        var byStatus = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in byStatus)
            operation.Responses.Add(status, response);
        return Task.CompletedTask;
    }

    private static void AddError(OpenApiOperation operation, int status, OpenApiOperationTransformerContext context)
    {
        var (code, message) = ApiErrors.ForStatus(status);
        operation.Responses![status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = $"{message} ({code} or a more precise code)",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(Envelope, context.Document) },
            },
        };
    }

    private static string Join(string? description, string line) => string.IsNullOrEmpty(description) ? line : $"{description}\n\n{line}";
}
