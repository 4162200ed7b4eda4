using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

public sealed class OverviewTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    protected override string[] Settings => ["--Tyto:Alerts:For=00:00:02"];

    [Fact]
    public async Task A_server_alone_shows_its_own_card_and_a_way_to_add_hosts()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync();
        var local = Card(tab, "local");
        await Assertions.Expect(local.GetByText("online", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Value(local, "CPU")).ToHaveTextAsync(new Regex(@"^\d+\.\d %$"));
        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Add a host" }).ClickAsync();
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("/agents$"));
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Add a host" })).ToBeVisibleAsync();
        tab.AssertClean();
    }

    [Fact]
    public async Task Cards_update_live_and_filter_and_sort_with_the_state_in_the_url()
    {
        using (var added = await Admin.PostJsonAsync("/api/v1/agents", new { id = "alpha", name = "alpha" }))
            await added.JsonAsync(HttpStatusCode.Created);
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.GetByText("1 of 2 hosts online")).ToBeVisibleAsync();

        var local = Card(tab, "local");
        var cpu = Value(local, "CPU");
        var memory = Value(local, "Memory");
        await Assertions.Expect(cpu).ToHaveTextAsync(new Regex(@"^\d+\.\d %$"));
        await Assertions.Expect(Value(local, "Disk /")).ToHaveTextAsync(new Regex(@"^\d+\.\d %$"));
        var first = await cpu.InnerTextAsync() + await memory.InnerTextAsync();
        await Poll.UntilAsync(async () => await cpu.InnerTextAsync() + await memory.InnerTextAsync() != first, "the local card shows a newer sample");
        var alpha = Card(tab, "alpha");
        await Assertions.Expect(alpha.GetByText("offline", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(alpha.GetByText("Never connected")).ToBeVisibleAsync();
        await Assertions.Expect(local.GetByRole(AriaRole.Link, new() { Name = "local" })).ToHaveAttributeAsync("href", "/hosts/local");

        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["alpha", "local"]);
        await tab.Page.GetByLabel("Sort by").SelectOptionAsync("cpu");
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["local", "alpha"]);
        await tab.Page.GetByLabel("Sort by").SelectOptionAsync("status");
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["alpha", "local"]);
        await tab.Page.GetByLabel("Sort by").SelectOptionAsync("memory");
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex(@"/\?sort=memory$"));
        await tab.Page.ReloadAsync();
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["local", "alpha"]);

        await tab.Page.GetByLabel("Filter by name").FillAsync("ALP");
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["alpha"]);
        await tab.Page.GetByLabel("Filter by name").FillAsync("");
        await tab.Page.GetByLabel("Filter by status").SelectOptionAsync("online");
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["local"]);
        await tab.Page.GetByLabel("Filter by name").FillAsync("alpha");
        await Assertions.Expect(tab.Page.GetByText("No host matches")).ToBeVisibleAsync();
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Clear the filters" }).ClickAsync();
        await Assertions.Expect(Names(tab)).ToHaveTextAsync(["local", "alpha"]);
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex(@"/\?sort=memory$"));
        tab.AssertClean();
    }

    [Fact]
    public async Task Alert_counts_follow_the_stream()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync();
        var alerts = Card(tab, "local").Locator(".host-alerts");
        await Assertions.Expect(alerts).ToBeVisibleAsync();

        await ThresholdsAsync(new { memory = new { warning = 1, critical = 2 } });
        await CountsAgreeAsync(alerts, memoryAlert: true);
        await ThresholdsAsync(new { memory = new { warning = 85, critical = 95 } });
        await CountsAgreeAsync(alerts, memoryAlert: false);
        tab.AssertClean();
    }

    [Fact]
    public async Task The_overview_fits_desktop_and_phone_widths_in_either_theme()
    {
        foreach (var id in new[] { "web-1", "db.example-primary-with-a-long-name" })
        {
            using var added = await Admin.PostJsonAsync("/api/v1/agents", new { id, name = id });
            await added.JsonAsync(HttpStatusCode.Created);
        }
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync();
        await Assertions.Expect(Value(Card(tab, "local"), "CPU")).ToHaveTextAsync(new Regex(@"^\d+\.\d %$"));
        foreach (var width in new[] { Tab.DesktopWidth, Tab.PhoneWidth })
        {
            await tab.Page.SetViewportSizeAsync(width, 800);
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await tab.Page.EmulateMediaAsync(new() { ColorScheme = scheme });
                Assert.False(await tab.ScrollsSidewaysAsync(), $"the overview scrolls sideways at {width} px");
                await tab.ScreenshotAsync(scheme == ColorScheme.Dark ? "overview-dark" : "overview");
            }
        }
        tab.AssertClean();
    }

    private static ILocator Card(Tab tab, string name) => tab.Page.GetByRole(AriaRole.Listitem, new() { Name = name, Exact = true });

    private static ILocator Value(ILocator card, string label) => card.Locator($"dt:text-is('{label}') + dd .num");

    private static ILocator Names(Tab tab) => tab.Page.GetByRole(AriaRole.List, new() { Name = "Hosts" }).GetByRole(AriaRole.Heading);

    private async Task ThresholdsAsync(object thresholds)
    {
        using var response = await Admin.PostJsonAsync("/api/v1/alerts/config", thresholds);
        await response.JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>
    /// Waits until the card counts the local host's active alerts as the API does, with a memory alert among them or not.
    /// (CPU alerts come and go as the machine's load does; memory is the one under the test's control.)
    /// </summary>
    private async Task CountsAgreeAsync(ILocator card, bool memoryAlert)
    {
        await Poll.UntilAsync(async () =>
        {
            var active = await AlertsAsync();
            var expected = active.Count == 0 ? "No active alerts" : $"{active.Count} {(active.Count == 1 ? "alert" : "alerts")}";
            return active.Contains("memory") == memoryAlert && (await card.InnerTextAsync()).StartsWith(expected, StringComparison.Ordinal);
        }, $"the card counts the active alerts, {(memoryAlert ? "with" : "without")} a memory alert", TimeSpan.FromSeconds(45));
    }

    private async Task<List<string>> AlertsAsync()
    {
        using var response = await Admin.GetAsync("/api/v1/alerts?agent_id=local");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("type").GetString()!)];
    }
}
