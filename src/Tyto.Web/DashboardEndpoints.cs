using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Tyto.Web;

/// <summary>
/// Serves the dashboard: its versioned files for a year, compressed; and its page for every other path a browser may
/// open (<c>/hosts/web-1</c>), so routes of the single-page application survive a reload. Paths of the API, the metrics,
/// the agents' endpoint and the API's description never get the page: an unknown one stays a 404 in the error envelope.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly string[] NotDashboard = ["api", "metrics", "agent", "openapi", "docs", "health", "assets"];

    private static readonly string[] CompressedTypes =
        ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml", "text/plain"];

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<Dashboard>();
        services.AddResponseCompression(o =>
        {
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = CompressedTypes;
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return services;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var dashboard = app.Services.GetRequiredService<Dashboard>();
        app.UseWhen(context => IsDashboard(context.Request.Path) || context.Request.Path.StartsWithSegments(dashboard.AssetsPath), branch => branch.UseResponseCompression());
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = dashboard.Files,
            RequestPath = dashboard.AssetsPath,
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                headers.CacheControl = "public, max-age=31536000, immutable";
                headers.XContentTypeOptions = "nosniff";
            },
        });
        // After routing: a path no endpoint took is a dashboard route when it is not under a prefix of the API.
        app.Use((context, next) => context.GetEndpoint() is null && IsPage(context.Request) ? WritePage(context, dashboard) : next(context));
        return app;
    }

    private static bool IsPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && IsDashboard(request.Path);

    /// <summary>Whether a path may be a dashboard route: its first segment is none of the API's, the agents' or the assets'.</summary>
    private static bool IsDashboard(PathString path)
    {
        var first = (path.Value ?? "").TrimStart('/').Split('/', 2)[0];
        return !NotDashboard.Contains(first, StringComparer.OrdinalIgnoreCase);
    }

    private static Task WritePage(HttpContext context, Dashboard dashboard)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = dashboard.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var page = Results.Bytes(dashboard.IndexHtml, "text/html; charset=utf-8", entityTag: new EntityTagHeaderValue($"\"{dashboard.Version}\""));
        return page.ExecuteAsync(context);
    }
}
