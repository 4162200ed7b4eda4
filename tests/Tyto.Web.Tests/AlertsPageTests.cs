using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>The alerts page on a real host whose rules raise at once (no duration): the board, the thresholds and the timeline.</summary>
public sealed class AlertsPageTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    protected override string[] Settings => ["--Tyto:Alerts:For=00:00:00"];

    [Fact]
    public async Task A_low_memory_threshold_set_in_the_editor_raises_an_alert_live_to_acknowledge_and_to_find_on_the_timeline()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 400");
        await tab.SignInAsync(path: "/alerts");
        var page = tab.Page;
        var board = page.GetByRole(AriaRole.Region, new() { Name = "Active" });
        await Assertions.Expect(page.Locator("[data-stream=open]")).ToBeVisibleAsync();
        var warning = page.GetByLabel("Memory warning (%)");
        await Assertions.Expect(warning).ToHaveValueAsync("85");

        // Refused whole, with the API's word beside the field.
        await warning.FillAsync("97");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Assertions.Expect(page.GetByText("must be below the critical line (95)")).ToBeVisibleAsync();
        await Assertions.Expect(warning).ToHaveAttributeAsync("aria-invalid", "true");

        await warning.FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Thresholds saved." })).ToBeVisibleAsync();

        // The raise arrives on the stream; nothing reloads the board while it is open.
        var acknowledge = board.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Acknowledge memory on ") });
        await acknowledge.ClickAsync();
        var row = board.GetByRole(AriaRole.Row).Filter(new() { HasText = "memory" });
        await Assertions.Expect(row).ToContainTextAsync("by admin");
        await Assertions.Expect(acknowledge).ToHaveCountAsync(0);
        // The page learns of the acknowledgement from the stream; the board's read model follows the journal within a second.
        await Poll.UntilAsync(async () =>
        {
            using var response = await Admin.GetAsync("/api/v1/alerts");
            var memory = (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("type").GetString() == "memory");
            return (memory.GetProperty("acknowledged").GetBoolean(), memory.GetProperty("acknowledged_by").GetString()) == (true, "admin");
        }, "the board shows who acknowledged the alert", TimeSpan.FromSeconds(5));
        await tab.ScreenshotAsync("alerts");

        // The timeline, narrowed to memory: the board just after the raise holds it, one step earlier it is empty.
        await page.GetByLabel("Alert type").SelectOptionAsync("memory");
        var events = page.GetByRole(AriaRole.Region, new() { Name = "Events" });
        await Assertions.Expect(events.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "acknowledged by admin" })).ToBeVisibleAsync();
        var raised = events.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "raised warning" });
        await Assertions.Expect(raised).ToHaveCountAsync(1);
        await raised.GetByRole(AriaRole.Button, new() { Name = "Board then" }).ClickAsync();
        var then = page.GetByRole(AriaRole.Region, new() { Name = "Board at" });
        var memoryThen = then.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "memory" });
        await Assertions.Expect(memoryThen).ToHaveCountAsync(1);
        var slider = page.GetByRole(AriaRole.Slider, new() { Name = "Instant" });
        await slider.PressAsync("ArrowLeft");
        await Assertions.Expect(then.GetByText("No active alerts then")).ToBeVisibleAsync();
        await slider.PressAsync("ArrowRight");
        await Assertions.Expect(memoryThen).ToHaveCountAsync(1);
        await tab.ScreenshotAsync("alerts-timeline");

        // Far above the memory in use, the alert resolves, and leaves the board live.
        await warning.FillAsync("90");
        await page.GetByLabel("Memory critical (%)").FillAsync("99");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(events.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "resolved" })).ToBeVisibleAsync();
        tab.AssertClean();
    }

    [Fact]
    public async Task The_board_and_the_timeline_fit_a_phone_and_read_in_the_dark()
    {
        (await Admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 1, critical = 95 } })).EnsureSuccessStatusCode();
        foreach (var (width, scheme, name) in new[] { (Tab.PhoneWidth, ColorScheme.Light, "alerts"), (Tab.PhoneWidth, ColorScheme.Dark, "alerts-dark"), (Tab.DesktopWidth, ColorScheme.Dark, "alerts-dark") })
        {
            await using var tab = await chromium.OpenAsync(Host.Address, width, colorScheme: scheme);
            await tab.SignInAsync(path: "/alerts");
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Active" }).GetByText("memory", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Events" }).GetByRole(AriaRole.Listitem).First).ToBeVisibleAsync();

            Assert.False(await tab.ScrollsSidewaysAsync(), $"{name} at {width} scrolls sideways");
            await tab.ScreenshotAsync(name);
            tab.AssertClean();
        }
    }

    [Fact]
    public async Task A_viewer_sees_the_board_and_the_thresholds_but_neither_acknowledges_nor_changes_them()
    {
        (await Admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 1, critical = 95 } })).EnsureSuccessStatusCode();
        (await Admin.PostJsonAsync("/api/v1/users", new { username = "watcher", password = "watcher-password", roles = new[] { "viewer" } })).EnsureSuccessStatusCode();
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync("watcher", "watcher-password", "/alerts");

        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Active" }).GetByText("memory", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Acknowledge") })).ToHaveCountAsync(0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Form, new() { Name = "Thresholds" })).ToContainTextAsync("1.0 %");
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Spinbutton)).ToHaveCountAsync(0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Save thresholds" })).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    [Fact]
    public async Task Acknowledging_an_alert_that_resolved_meanwhile_shows_the_APIs_refusal()
    {
        (await Admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 1, critical = 95 } })).EnsureSuccessStatusCode();
        await Poll.UntilAsync(async () => (await MemoryAlertsAsync(Admin)) == 1, "the memory alert is raised");
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 409");
        tab.Expect("net::ERR_FAILED");
        // Without its stream the page cannot learn of the resolution, as on a connection that is down.
        await tab.Page.RouteAsync("**/api/v1/stream?**", route => route.AbortAsync());
        await tab.SignInAsync(path: "/alerts");
        var board = tab.Page.GetByRole(AriaRole.Region, new() { Name = "Active" });
        var acknowledge = board.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Acknowledge memory on ") });
        await Assertions.Expect(acknowledge).ToBeVisibleAsync();

        (await Admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 90, critical = 99 } })).EnsureSuccessStatusCode();
        await Poll.UntilAsync(async () => (await MemoryAlertsAsync(Admin)) == 0, "the memory alert resolves", TimeSpan.FromSeconds(30));
        await acknowledge.ClickAsync();

        await Assertions.Expect(board.GetByRole(AriaRole.Alert)).ToContainTextAsync("is resolved; only active alerts can be acknowledged");
        await Assertions.Expect(board.GetByText("memory", new() { Exact = true })).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    private static async Task<int> MemoryAlertsAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/v1/alerts");
        return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray().Count(a => a.GetProperty("type").GetString() == "memory");
    }
}
