using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

public sealed class SignInTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    [Fact]
    public async Task Signing_in_opens_the_fleet_and_signing_out_returns_to_the_form()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.GoToAsync("/alerts");
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("/signin\\?next=%2Falerts$"));
        await tab.ScreenshotAsync("signin");
        await tab.Page.GetByLabel("Username").FillAsync("admin");
        await tab.Page.GetByLabel("Password").FillAsync(TytoHost.AdminPassword);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("/alerts$"));
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Alerts" })).ToHaveAttributeAsync("aria-current", "page");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Tyto" })).ToBeVisibleAsync();
        Assert.Null(await tab.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('tyto.token')"));
        tab.AssertClean();
    }

    [Fact]
    public async Task A_wrong_password_says_so_and_throttling_shows_its_wait()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 401");
        tab.Expect("status of 429");
        await tab.GoToAsync("/");
        await tab.Page.GetByLabel("Username").FillAsync("admin");
        await tab.Page.GetByLabel("Password").FillAsync("not the password");
        var submit = tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });
        await submit.ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong username or password.");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            await Assertions.Expect(submit).ToBeEnabledAsync();
            await submit.ClickAsync();
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            if (await tab.Page.Locator(".wait").CountAsync() > 0)
                break;
        }
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Too many failed sign-ins");
        Assert.True(int.Parse(await tab.Page.Locator(".wait").InnerTextAsync(), CultureInfo.InvariantCulture) > 0);
        await Assertions.Expect(submit).ToBeDisabledAsync();
        await tab.ScreenshotAsync("signin-throttled");
        tab.AssertClean();
    }

    [Fact]
    public async Task The_profile_changes_the_email_and_the_password_and_refuses_a_wrong_current_one()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 400");
        await tab.SignInAsync(path: "/profile");
        var page = tab.Page;
        await page.GetByLabel("E-mail").FillAsync("ops@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();

        await page.GetByLabel("Current password").FillAsync("not the password");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("a-new-password-1");
        await page.GetByLabel("New password again").FillAsync("a-new-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(page.Locator("form").Filter(new() { HasText = "Current password" }).GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await page.GetByLabel("Current password").FillAsync(TytoHost.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Password changed.")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("profile");

        using var signedIn = await Host.LoginAsync("admin", "a-new-password-1");
        using var me = await signedIn.GetAsync("/api/v1/auth/me");
        Assert.Equal("ops@example.com", (await me.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());
        tab.AssertClean();
    }

    [Fact]
    public async Task A_lost_session_returns_to_sign_in()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 401");
        await tab.SignInAsync(path: "/profile");
        var token = await tab.Page.EvaluateAsync<string>("() => sessionStorage.getItem('tyto.token')");
        using (var api = new HttpClient { BaseAddress = Host.Address })
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", token);
            (await api.PostAsync("/api/v1/auth/logout", null)).EnsureSuccessStatusCode();
        }
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Tyto" })).ToBeVisibleAsync();
        tab.AssertClean();
    }
}
