using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Api.Auth;

namespace Tyto.Api.Tests;

/// <summary>The OpenAPI document generated from the endpoints, the reference page rendered from it, and the copy in docs/.</summary>
[Collection(SharedHostGroup.Name)]
public sealed partial class ApiDocumentTests(SharedHost shared)
{
    private const string EnvelopeReference = "#/components/schemas/ErrorResponse";

    [Fact]
    public async Task Every_endpoint_is_described_with_who_may_call_it_and_its_errors_in_the_envelope()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!.AsObject();
        var endpoints = shared.Host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => e.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Select(method => (Endpoint: e, Method: method)))
            .ToList();
        Assert.Contains(endpoints, e => e.Endpoint.RoutePattern.RawText == "/api/v1/auth/login");

        foreach (var (endpoint, method) in endpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var operation = paths[path]?[method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{method} {path} is not in the document");
            var permission = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null ? endpoint.Metadata.GetMetadata<PermissionMetadata>() : null;
            if (permission is null)
            {
                Assert.Null(operation["x-permission"]);
                Assert.Null(operation["security"]);
            }
            else
            {
                Assert.Equal(permission.Permission ?? ApiDocument.SignedIn, (string?)operation["x-permission"]);
                Assert.Contains("bearer", operation["security"]!.AsArray().Select(r => r!.AsObject().Single().Key));
                Assert.NotNull(operation["responses"]!["401"]);
                Assert.Contains(permission.Permission ?? "signed-in", (string?)operation["description"], StringComparison.Ordinal);
            }
            var errors = operation["responses"]!.AsObject().Where(r => r.Key[0] is '4' or '5').ToList();
            Assert.All(errors, r => Assert.Equal(EnvelopeReference, (string?)r.Value!["content"]!["application/json"]!["schema"]!["$ref"]));
        }
        Assert.Equal(endpoints.Count, paths.Sum(p => p.Value!.AsObject().Count));

        var envelope = document["components"]!["schemas"]!["ErrorResponse"]!["properties"]!.AsObject();
        Assert.Equal(["error", "code", "details"], envelope.Select(p => p.Key));
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
    }

    [Fact]
    public async Task The_reference_page_is_served_with_its_own_script()
    {
        using var page = await shared.Host.Client.GetAsync(ApiDocument.ReferencePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>Tyto API</title>", html, StringComparison.Ordinal);

        // Offline too: every script and stylesheet comes from this server.
        var assets = AssetReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("scalar.js", assets);
        foreach (var asset in assets)
        {
            Assert.DoesNotContain("//", asset, StringComparison.Ordinal);
            using var response = await shared.Host.Client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, asset));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    /// <summary>docs/openapi.json is the repository's API reference: it must be what the server generates.</summary>
    [Fact]
    public async Task The_committed_document_is_the_generated_one()
    {
        var committed = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        Assert.True(File.Exists(committed), $"{committed} is missing");
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(committed)), await DocumentAsync()),
            "docs/openapi.json is stale: with the server running, `curl -s localhost:8080/openapi/v1.json > docs/openapi.json`");
    }

    private async Task<JsonNode> DocumentAsync()
    {
        using var response = await shared.Host.Client.GetAsync(ApiDocument.DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Tyto.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException($"No Tyto.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("""<(?:script|link)[^>]*?(?:src|href)="([^"]+)"[^>]*>""")]
    private static partial Regex AssetReference();
}
