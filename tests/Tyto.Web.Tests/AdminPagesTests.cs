using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>The administration pages against the real server: users, roles, the audit log and the refresh interval.</summary>
public sealed class AdminPagesTests(Chromium chromium, SharedHost shared) : IClassFixture<Chromium>, IClassFixture<SharedHost>
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private static ILocator Checkbox(IPage page, string name) => page.GetByRole(AriaRole.Checkbox, new() { Name = name, Exact = true });

    [Fact]
    public async Task A_custom_role_is_made_from_picked_permissions_changed_and_deleted()
    {
        await using var tab = await chromium.OpenAsync(shared.Host.Address);
        await tab.SignInAsync(path: "/admin/roles");
        var page = tab.Page;

        var system = page.GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Administrator" }) });
        await Expect(system).ToContainTextAsync("system");
        await Expect(system).ToContainTextAsync("System roles cannot be changed or deleted.");
        await Expect(system.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await Button(page, "New role").ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Alert managers");
        await page.GetByLabel("Description", new() { Exact = true }).FillAsync("Acknowledge and tune alerts");
        await Expect(Checkbox(page, "dashboard:view")).ToBeCheckedAsync();
        await Checkbox(page, "alerts:*").CheckAsync();
        var acknowledge = Checkbox(page, "alerts:acknowledge");
        await Expect(acknowledge).ToBeCheckedAsync();
        await Expect(acknowledge).ToBeDisabledAsync();
        await Checkbox(page, "metrics:read").CheckAsync();
        await page.GetByLabel("Another permission or wildcard").FillAsync("logs:*");
        await Button(page, "Add").ClickAsync();
        await Expect(Checkbox(page, "logs:*")).ToBeCheckedAsync();
        await ScrolledToTheTopAsync(page);
        await tab.ScreenshotAsync("admin-role-editor");
        await Button(page, "Create role").ClickAsync();
        await Expect(page.GetByText("Created Alert managers.")).ToBeVisibleAsync();

        var made = await Accounts.RoleAsync(shared.Admin, "alert-managers");
        Assert.NotNull(made);
        Assert.Equal(("Alert managers", "Acknowledge and tune alerts", false),
            (made.Value.GetProperty("name").GetString(), made.Value.GetProperty("description").GetString(), made.Value.GetProperty("is_system").GetBoolean()));
        Assert.Equal(["alerts:*", "dashboard:view", "logs:*", "metrics:read"], Permissions(made.Value));

        await Button(page, "Edit Alert managers").ClickAsync();
        await Checkbox(page, "alerts:*").UncheckAsync();
        await Expect(acknowledge).ToBeEnabledAsync();
        await Expect(acknowledge).Not.ToBeCheckedAsync();
        await Checkbox(page, "alerts:read").CheckAsync();
        await Checkbox(page, "metrics:read").UncheckAsync();
        await Button(page, "Save role").ClickAsync();
        await Expect(page.GetByText("Saved Alert managers.")).ToBeVisibleAsync();
        Assert.Equal(["alerts:read", "dashboard:view", "logs:*"], Permissions((await Accounts.RoleAsync(shared.Admin, "alert-managers"))!.Value));

        await Button(page, "Delete Alert managers").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete the role Alert managers?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.NotNull(await Accounts.RoleAsync(shared.Admin, "alert-managers"));
        await Button(page, "Delete Alert managers").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByText("Deleted Alert managers.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alert managers" })).ToHaveCountAsync(0);
        Assert.Null(await Accounts.RoleAsync(shared.Admin, "alert-managers"));
        tab.AssertClean();
    }

    [Fact]
    public async Task A_user_made_in_the_page_signs_in_is_refused_a_grant_beyond_its_own_and_is_disabled_with_its_session()
    {
        await Accounts.CreateRoleAsync(shared.Admin, "User managers", "dashboard:view", "users:*", "roles:read", "audit:read");
        await using var tab = await chromium.OpenAsync(shared.Host.Address);
        tab.Expect("status of 400");
        await tab.SignInAsync(path: "/admin/users");
        var page = tab.Page;

        await Button(page, "New user").ClickAsync();
        await page.GetByLabel("Username").FillAsync("manager");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByLabel("E-mail (optional)").FillAsync("manager@example.com");
        await Checkbox(page, "User managers").CheckAsync();
        await Button(page, "Create user").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("password must be at least 10 characters");
        await page.GetByLabel("Password").FillAsync(Accounts.Password);
        await Button(page, "Create user").ClickAsync();
        await Expect(page.GetByText("Created manager.")).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "manager@example.com" });
        await Expect(row).ToContainTextAsync("user-managers");
        await Expect(row).ToContainTextAsync("enabled");

        // The new user, in a second tab: what its role allows, and no more.
        await using var second = await chromium.OpenAsync(shared.Host.Address);
        second.Expect("status of 403");
        second.Expect("status of 401");
        await second.SignInAsync("manager", Accounts.Password, "/admin/users");
        var nav = second.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Roles" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToHaveCountAsync(0);
        await Button(second.Page, "New user").ClickAsync();
        await second.Page.GetByLabel("Username").FillAsync("intruder");
        await second.Page.GetByLabel("Password").FillAsync(Accounts.Password);
        await Checkbox(second.Page, "Administrator").CheckAsync();
        await Button(second.Page, "Create user").ClickAsync();
        await Expect(second.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("You cannot grant permissions you do not hold: *");
        await second.ScreenshotAsync("admin-users-refused");

        await Button(page, "Edit manager").ClickAsync();
        await Button(page, "Disable").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Disable manager?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(page.GetByText("Disabled manager.")).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("disabled");
        await Expect(Button(page, "Enable")).ToBeVisibleAsync();

        // Its session is gone: the next request it makes returns it to sign-in.
        await nav.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(second.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Tyto" })).ToBeVisibleAsync();
        using (var login = await shared.Host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = "manager", password = Accounts.Password }))
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);

        // The audit log shows all of it, and keeps its filter in the URL.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        var entries = page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row);
        var disabled = entries.Filter(new() { HasText = "Disable user" }).First;
        await Expect(disabled).ToContainTextAsync("admin");
        await Expect(disabled).ToContainTextAsync("manager");
        await Expect(disabled).ToContainTextAsync("success");
        var refused = entries.Filter(new() { HasText = "Create user" }).Filter(new() { HasText = "denied" }).First;
        await Expect(refused).ToContainTextAsync("manager");
        await Expect(refused).ToContainTextAsync("403");
        await tab.ScreenshotAsync("admin-audit-actions");
        await page.GetByLabel("User", new() { Exact = true }).FillAsync("manager");
        await Button(page, "Filter").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/admin/audit\\?user=manager$"));
        await Expect(entries.Filter(new() { HasText = "Disable user" })).ToHaveCountAsync(0);
        await Expect(entries.Filter(new() { HasText = "Sign in" }).First).ToContainTextAsync("manager");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("User", new() { Exact = true })).ToHaveValueAsync("manager");
        await Expect(entries.Filter(new() { HasText = "Create user" })).ToHaveCountAsync(1);
        tab.AssertClean();
        second.AssertClean();
    }

    [Fact]
    public async Task The_refresh_interval_is_shown_and_set()
    {
        await using var tab = await chromium.OpenAsync(shared.Host.Address);
        await tab.SignInAsync(path: "/admin/settings");
        var page = tab.Page;
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The server samples every 1 s.");
        await Expect(page.GetByLabel("Seconds (1 to 3600)")).ToHaveValueAsync("1");

        await page.GetByLabel("Seconds (1 to 3600)").FillAsync("7");
        var response = await page.RunAndWaitForResponseAsync(() => Button(page, "Apply").ClickAsync(), r => r.Url.EndsWith("/api/v1/settings/refresh", StringComparison.Ordinal));
        Assert.Equal(200, response.Status);
        Assert.Equal(7, (await response.JsonAsync())!.Value.GetProperty("interval").GetInt32());
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The server samples every 7 s.");
        await tab.Page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The server samples every 7 s.");

        using var back = await shared.Admin.PostJsonAsync("/api/v1/settings/refresh", new { interval = 1 });
        Assert.Equal(1, (await back.JsonAsync(HttpStatusCode.OK)).GetProperty("interval").GetInt32());
        tab.AssertClean();
    }

    [Theory]
    [InlineData(Tab.DesktopWidth, ColorScheme.Light)]
    [InlineData(Tab.PhoneWidth, ColorScheme.Light)]
    [InlineData(Tab.DesktopWidth, ColorScheme.Dark)]
    [InlineData(Tab.PhoneWidth, ColorScheme.Dark)]
    public async Task Every_administration_page_fits_the_screen(int width, ColorScheme scheme)
    {
        var role = $"Look {width} {scheme}";
        await Accounts.CreateRoleAsync(shared.Admin, role, "dashboard:view", "alerts:*", "*:read");
        await Accounts.CreateUserAsync(shared.Admin, $"look-{width}-{scheme}".ToLowerInvariant(), "viewer", role.ToLowerInvariant().Replace(' ', '-'));
        await using var tab = await chromium.OpenAsync(shared.Host.Address, width, colorScheme: scheme);
        var suffix = scheme == ColorScheme.Dark ? "-dark" : "";
        await tab.SignInAsync(path: "/admin/users");
        var page = tab.Page;

        async Task LooksRightAsync(string name)
        {
            await Expect(page.Locator("main .state-loading")).ToHaveCountAsync(0);
            Assert.False(await tab.ScrollsSidewaysAsync(), $"{name} scrolls sideways at {width} px");
            await ScrolledToTheTopAsync(page);
            await tab.ScreenshotAsync(name + suffix);
        }

        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "admin" }).First).ToBeVisibleAsync();
        await LooksRightAsync("admin-users");
        await Button(page, "Edit admin").ClickAsync();
        await Expect(page.GetByText("You cannot disable your own account.")).ToBeVisibleAsync();
        await LooksRightAsync("admin-user-editor");
        await Button(page, "Close").ClickAsync();
        await Button(page, "New user").ClickAsync();
        await LooksRightAsync("admin-user-new");

        await tab.GoToAsync("/admin/roles");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = role })).ToBeVisibleAsync();
        await LooksRightAsync("admin-roles");
        await Button(page, $"Edit {role}").ClickAsync();
        await Expect(Checkbox(page, "alerts:acknowledge")).ToBeDisabledAsync();
        await LooksRightAsync("admin-role-edit");

        await tab.GoToAsync("/admin/audit");
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("Create role");
        await LooksRightAsync("admin-audit");

        await tab.GoToAsync("/admin/settings");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Refresh interval" })).ToBeVisibleAsync();
        await LooksRightAsync("admin-settings");
        tab.AssertClean();
    }

    /// <summary>A full-page screenshot draws the sticky top bar where the page is scrolled to: at the top, it covers nothing.</summary>
    private static async Task ScrolledToTheTopAsync(IPage page) => await page.EvaluateAsync("() => window.scrollTo(0, 0)");

    private static List<string> Permissions(JsonElement role) =>
        role.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal).ToList();
}
