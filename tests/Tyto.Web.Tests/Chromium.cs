using Microsoft.Playwright;

namespace Tyto.Web.Tests;

/// <summary>
/// Debian's headless Chromium (<c>TYTO_CHROMIUM</c>, else <c>/usr/bin/chromium</c>; <c>./test.sh</c> installs it), driven by
/// Playwright, which brings its own driver but no browser.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("TYTO_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"No Chromium at {ExecutablePath}: ./test.sh installs Debian's chromium package, or set TYTO_CHROMIUM");
        // The machines are shared and slow at times: a page's first sample may take more than Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in a container has no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>A new tab in a fresh profile (no storage shared with other tabs) at <paramref name="width"/>×<paramref name="height"/>.</summary>
    public async Task<Tab> OpenAsync(Uri server, int width = Tab.DesktopWidth, int height = 800, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
        });
        return await Tab.StartAsync(context, server);
    }
}
