using Microsoft.Playwright;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>
/// One browser tab on the dashboard. It records every console error, uncaught exception and request to another origin,
/// so a test can check that a page ran clean; and it takes the screenshots kept as test artifacts.
/// </summary>
public sealed class Tab : IAsyncDisposable
{
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    private readonly IBrowserContext _context;
    private readonly Uri _server;
    private readonly List<string> _problems = [];
    private readonly List<string> _expected = [];

    private Tab(IBrowserContext context, IPage page, Uri server)
    {
        _context = context;
        _server = server;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                Record($"console error: {message.Text}");
        };
        page.PageError += (_, error) => Record($"uncaught: {error}");
        context.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            if (url.Scheme is "http" or "https" && (url.Host != _server.Host || url.Port != _server.Port))
                Record($"request to another origin: {request.Url}");
        };
    }

    public IPage Page { get; }

    public static async Task<Tab> StartAsync(IBrowserContext context, Uri server)
    {
        context.SetDefaultTimeout(15_000);
        return new Tab(context, await context.NewPageAsync(), server);
    }

    /// <summary>Console errors whose text holds <paramref name="text"/> are part of the test (a refused sign-in logs its 401).</summary>
    public void Expect(string text)
    {
        lock (_problems)
            _expected.Add(text);
    }

    private void Record(string problem)
    {
        lock (_problems)
        {
            if (!_expected.Any(problem.Contains))
                _problems.Add(problem);
        }
    }

    /// <summary>Fails when the tab saw a console error, an uncaught exception or a request to another origin.</summary>
    public void AssertClean()
    {
        lock (_problems)
            Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }

    public async Task GoToAsync(string path) => await Page.GotoAsync(path);

    /// <summary>Signs in through the form and waits for the navigation to show.</summary>
    public async Task SignInAsync(string username = "admin", string password = TytoHost.AdminPassword, string path = "/")
    {
        await Page.GotoAsync(path);
        await Page.GetByLabel("Username").FillAsync(username);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
    }

    /// <summary>Whether the page is wider than the viewport (it would scroll sideways).</summary>
    public Task<bool> ScrollsSidewaysAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");

    /// <summary>Saves a full-page screenshot as <c>&lt;name&gt;-&lt;width&gt;.png</c> under <see cref="Artifacts.Screenshots"/>.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var width = Page.ViewportSize?.Width ?? 0;
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts.Screenshots, $"{name}-{width}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

/// <summary>Where the browser tests leave what a person may want to look at: <c>TYTO_ARTIFACTS</c>, else <c>artifacts/</c> in the repository.</summary>
public static class Artifacts
{
    public static string Root { get; } = Environment.GetEnvironmentVariable("TYTO_ARTIFACTS") is { Length: > 0 } root ? root : Path.Combine(RepositoryRoot(), "artifacts");

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(Root, "screenshots")).FullName;

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tyto.sln")))
                return folder.FullName;
        }
        return AppContext.BaseDirectory;
    }
}
