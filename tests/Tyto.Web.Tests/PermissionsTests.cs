using System.Net;
using Microsoft.Playwright;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>
/// What the dashboard shows to whom: pages only in the navigation of those who may open them, and actions only to those
/// who may take them. The accounts are made through the API.
/// </summary>
public sealed class PermissionsTests(Chromium chromium, SharedHost shared) : IClassFixture<Chromium>, IClassFixture<SharedHost>
{
    private static readonly string[] AdminPages = ["/admin/users", "/admin/roles", "/admin/audit", "/admin/settings"];
    private static readonly string[] AdminTitles = ["Users", "Roles", "Audit log", "Settings"];

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>A tab signed in as a new user holding <paramref name="roles"/>.</summary>
    private async Task<Tab> SignedInAsync(string username, string path, params string[] roles)
    {
        await Accounts.CreateUserAsync(shared.Admin, username, roles);
        var tab = await chromium.OpenAsync(shared.Host.Address);
        await tab.SignInAsync(username, Accounts.Password, path);
        return tab;
    }

    /// <summary>Opens a page and waits until it has loaded what it shows: its title set, and no loading state left.</summary>
    private static async Task OpenAsync(Tab tab, string path, string title)
    {
        await tab.GoToAsync(path);
        await Assertions.Expect(tab.Page).ToHaveTitleAsync($"{title} · Tyto");
        await Expect(tab.Page.Locator("main .state-loading")).ToHaveCountAsync(0);
    }

    private static ILocator Buttons(Tab tab, string name) => tab.Page.Locator("main").GetByRole(AriaRole.Button, new() { Name = name });

    [Fact]
    public async Task A_viewer_has_no_administration_in_the_navigation_and_may_not_open_it_by_address()
    {
        await using var tab = await SignedInAsync("viewer-nav", "/", "viewer");
        var nav = tab.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Alerts" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.List, new() { Name = "Administration" })).ToHaveCountAsync(0);
        foreach (var title in AdminTitles)
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = title, Exact = true })).ToHaveCountAsync(0);

        foreach (var path in AdminPages)
        {
            await tab.GoToAsync(path);
            await Expect(tab.Page.GetByText("You may not open this page")).ToBeVisibleAsync();
        }
        await tab.ScreenshotAsync("admin-forbidden");
        tab.AssertClean();
    }

    [Fact]
    public async Task A_reader_of_the_administration_sees_it_without_any_action()
    {
        await Accounts.CreateRoleAsync(shared.Admin, "Administration readers", "dashboard:view", "*:read");
        await using var tab = await SignedInAsync("admin-reader", "/admin/users", "administration-readers");
        var nav = tab.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeVisibleAsync();

        await OpenAsync(tab, "/admin/users", "Users");
        await Expect(tab.Page.GetByRole(AriaRole.Cell, new() { Name = "admin-reader" })).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("main").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await OpenAsync(tab, "/admin/roles", "Roles");
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Administration readers" })).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("main").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await OpenAsync(tab, "/admin/settings", "Settings");
        await Expect(tab.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The server samples every 1 s.");
        await Expect(tab.Page.Locator("main").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    [Fact]
    public async Task An_account_without_dashboard_view_may_not_open_the_dashboard()
    {
        await Accounts.CreateRoleAsync(shared.Admin, "Scrapers", "metrics:read");
        await using var tab = await SignedInAsync("scraper", "/", "scrapers");
        await Expect(tab.Page.GetByText("Your account may not open the dashboard")).ToBeVisibleAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
        await tab.GoToAsync("/admin/users");
        await Expect(tab.Page.GetByText("Your account may not open the dashboard")).ToBeVisibleAsync();
        tab.AssertClean();
    }

    // The pages below are another part of the dashboard; these checks hold a viewer to no write actions on them.

    [Fact]
    public async Task A_viewer_gets_no_add_approve_or_revoke_on_the_agents_page()
    {
        await using var tab = await SignedInAsync("viewer-agents", "/", "viewer");
        await OpenAsync(tab, "/agents", "Agents");
        foreach (var action in new[] { "Add host", "Approve", "Revoke" })
            await Expect(Buttons(tab, action)).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    [Fact]
    public async Task A_viewer_gets_no_acknowledge_and_no_threshold_editor_on_the_alerts_page()
    {
        // An active alert for the board to show: memory over a line every host crosses.
        using (var change = await shared.Admin.PostJsonAsync("/api/v1/alerts/config", new { memory = new { warning = 0.01, critical = 99.99 } }))
            await change.JsonAsync(HttpStatusCode.OK);
        await Poll.UntilAsync(async () =>
        {
            using var board = await shared.Admin.GetAsync("/api/v1/alerts");
            return (await board.JsonAsync(HttpStatusCode.OK)).GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("type").GetString() == "memory");
        }, "a memory alert is active");

        await using var tab = await SignedInAsync("viewer-alerts", "/", "viewer");
        await OpenAsync(tab, "/alerts", "Alerts");
        await Expect(Buttons(tab, "Acknowledge")).ToHaveCountAsync(0);
        await Expect(tab.Page.Locator("main").GetByRole(AriaRole.Spinbutton)).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    [Fact]
    public async Task A_viewer_gets_no_signal_action_on_a_host()
    {
        await using var tab = await SignedInAsync("viewer-host", "/", "viewer");
        await OpenAsync(tab, "/hosts/local", "Host");
        await Expect(Buttons(tab, "Signal")).ToHaveCountAsync(0);
        tab.AssertClean();
    }
}
