using Microsoft.Playwright;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>
/// Every page an admin can open, at desktop and phone width, light and dark: it shows its heading, never scrolls
/// sideways, logs no error, and leaves a screenshot. Plus what holds for all of them: keyboard access, the theme switch,
/// and a live stream that is lost and comes back.
/// </summary>
public sealed class AllPagesTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    private static readonly (string Path, string Name)[] Pages =
    [
        ("/", "overview"),
        ("/hosts/local", "host"),
        ("/alerts", "alerts"),
        ("/logs", "logs"),
        ("/agents", "agents"),
        ("/admin/users", "users"),
        ("/admin/roles", "roles"),
        ("/admin/audit", "audit"),
        ("/admin/settings", "settings"),
        ("/profile", "profile"),
    ];

    [Theory]
    [InlineData(Tab.DesktopWidth, ColorScheme.Light)]
    [InlineData(Tab.PhoneWidth, ColorScheme.Light)]
    [InlineData(Tab.DesktopWidth, ColorScheme.Dark)]
    [InlineData(Tab.PhoneWidth, ColorScheme.Dark)]
    public async Task Every_page_shows_fits_the_width_and_runs_clean(int width, ColorScheme scheme)
    {
        await using var tab = await chromium.OpenAsync(Host.Address, width, width == Tab.PhoneWidth ? 844 : 800, scheme);
        await tab.SignInAsync();
        foreach (var (path, name) in Pages)
        {
            await tab.GoToAsync(path);
            await Assertions.Expect(tab.Page.Locator("main h1").First).ToBeVisibleAsync();
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loading" })).ToHaveCountAsync(0);
            Assert.False(await tab.ScrollsSidewaysAsync(), $"{path} scrolls sideways at {width} px");
            await tab.ScreenshotAsync(scheme == ColorScheme.Dark ? $"{name}-dark" : name);
        }
        tab.AssertClean();
    }

    [Fact]
    public async Task The_keyboard_reaches_the_content_and_the_navigation()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync();
        await tab.Page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await tab.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(tab.Page.Locator("main")).ToBeFocusedAsync();

        var alerts = tab.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Alerts" });
        await alerts.FocusAsync();
        await tab.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(alerts).ToHaveAttributeAsync("aria-current", "page");
        tab.AssertClean();
    }

    [Fact]
    public async Task The_theme_follows_the_system_until_one_is_picked_and_keeps_it()
    {
        await using var tab = await chromium.OpenAsync(Host.Address, colorScheme: ColorScheme.Dark);
        await tab.SignInAsync();
        var background = () => tab.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        var dark = await background();
        var toggle = tab.Page.GetByRole(AriaRole.Button, new() { Name = "Theme: system" });
        await toggle.ClickAsync();
        await Assertions.Expect(tab.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
        Assert.NotEqual(dark, await background());
        await tab.Page.ReloadAsync();
        await Assertions.Expect(tab.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
        tab.AssertClean();
    }

    [Fact]
    public async Task A_lost_stream_shows_as_lost_and_comes_back_by_itself()
    {
        var dataDir = TytoHost.NewDataDir();
        TytoHost? host = await TytoHost.StartAsync(dataDir);
        var address = host.Address;
        try
        {
            await using var tab = await chromium.OpenAsync(address);
            tab.Expect("net::ERR_CONNECTION_REFUSED");
            tab.Expect("Failed to load resource");
            await tab.SignInAsync(path: "/hosts/local");
            var state = tab.Page.Locator("[data-stream]").First;
            await Assertions.Expect(state).ToHaveAttributeAsync("data-stream", "open");

            await host.DisposeAsync();
            host = null;
            await Assertions.Expect(state).ToHaveAttributeAsync("data-stream", "lost");
            await Assertions.Expect(state).ToHaveTextAsync("Connection lost, reconnecting…");

            host = await TytoHost.StartAsync(dataDir, $"--urls={address}");
            await Assertions.Expect(state).ToHaveAttributeAsync("data-stream", "open", new() { Timeout = 60_000 });
            tab.AssertClean();
        }
        finally
        {
            if (host is not null)
                await host.DisposeAsync();
            TytoHost.DeleteDataDir(dataDir);
        }
    }
}
