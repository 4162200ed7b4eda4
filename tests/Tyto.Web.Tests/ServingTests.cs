using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>How the server hands out the dashboard: its page for routes, its files versioned, cached and compressed.</summary>
public sealed partial class ServingTests : HostPerTest
{
    [Theory]
    [InlineData("/")]
    [InlineData("/hosts/web-1.example.org")]
    [InlineData("/admin/users?x=1")]
    public async Task Every_dashboard_route_is_the_page_revalidated_each_time_with_a_strict_policy(string path)
    {
        using var response = await Host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Matches("script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)", policy);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<script type=\"importmap\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_is_not_sent_again_while_unchanged()
    {
        using var first = await Host.Client.GetAsync("/");
        var tag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/alerts");
        again.Headers.IfNoneMatch.Add(tag);
        using var response = await Host.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/API/v1/users/x/y")]
    [InlineData("/metrics/x")]
    [InlineData("/agent/v1/channel/x")]
    [InlineData("/openapi/v2.json")]
    [InlineData("/health/x")]
    [InlineData("/assets/000000000000/main.js")]
    public async Task Paths_of_the_api_never_get_the_page(string path)
    {
        using var response = await Host.Client.GetAsync(path);
        await response.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Only_get_and_head_get_the_page()
    {
        using var head = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/alerts"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var post = await Host.Client.PostAsync("/alerts", new StringContent("{}"));
        await post.ErrorAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Files_are_kept_for_a_year_under_their_content_hash_and_sent_compressed()
    {
        var page = await Host.Client.GetStringAsync("/");
        var script = ModuleScript().Match(page);
        Assert.True(script.Success, page);
        using var request = new HttpRequestMessage(HttpMethod.Get, script.Groups[1].Value);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal("br", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);

        using var plain = await Host.Client.GetAsync(script.Groups[1].Value);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Contains("import", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_stream_is_never_compressed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/stream");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var stream = await Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Empty(stream.Content.Headers.ContentEncoding);
    }

    [GeneratedRegex("""<script type="module" src="(/assets/[0-9a-f]{12}/main\.js)">""")]
    private static partial Regex ModuleScript();
}
