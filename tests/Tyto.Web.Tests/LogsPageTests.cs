using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>The logs page on a real host that follows a log file: the live tail, paused and resumed, and the search.</summary>
public sealed class LogsPageTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    private const int MaxLineBytes = 256;

    private readonly string _folder = Directory.CreateTempSubdirectory("tyto-web-logs-").FullName;

    private string File => Path.Combine(_folder, "app.log");

    protected override string[] Settings => [$"--Tyto:Logs:Files:0={File}", $"--Tyto:Logs:MaxLineBytes={MaxLineBytes}"];

    public override async Task InitializeAsync()
    {
        await System.IO.File.WriteAllTextAsync(File, "there before the server\n");
        await base.InitializeAsync();
        await WatchedFiles.WarmUpAsync(Admin, File);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_line_appended_to_a_watched_file_arrives_in_the_live_tail_held_while_paused_and_is_found_by_a_word()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync(path: "/logs");
        var page = tab.Page;
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Source", Exact = true }).SelectOptionAsync("file");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/logs\\?source=file$"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Live tail" }).ClickAsync();
        var tail = page.GetByRole(AriaRole.Region, new() { Name = "Live tail" });
        await Assertions.Expect(tail.Locator("[data-stream=open]")).ToBeVisibleAsync();

        var word = $"m{Guid.NewGuid():N}";
        await System.IO.File.AppendAllTextAsync(File, $"ERROR payment gateway refused {word}\n");
        await Assertions.Expect(tail.GetByText($"ERROR payment gateway refused {word}")).ToBeVisibleAsync();
        await Assertions.Expect(tail.GetByRole(AriaRole.Listitem).First.Locator(".badge")).ToHaveTextAsync("error");

        await tail.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        var held = $"m{Guid.NewGuid():N}";
        await System.IO.File.AppendAllTextAsync(File, $"held while paused {held}\n");
        await Assertions.Expect(tail.GetByRole(AriaRole.Status).Filter(new() { HasText = "1 new line while paused" })).ToBeVisibleAsync();
        await Assertions.Expect(tail.GetByText(held)).ToHaveCountAsync(0);
        await tail.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Assertions.Expect(tail.GetByText($"held while paused {held}")).ToBeVisibleAsync();

        // A line over the longest kept is cut and marked; it wraps rather than widening the page.
        var longLine = $"{word} " + string.Concat(Enumerable.Repeat("overlong ", 60));
        await System.IO.File.AppendAllTextAsync(File, longLine + "\n");
        await Assertions.Expect(tail.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("truncated");
        Assert.False(await tab.ScrollsSidewaysAsync());
        await tab.ScreenshotAsync("logs-tail");

        await page.GetByRole(AriaRole.Button, new() { Name = "Results" }).ClickAsync();
        await page.GetByLabel("Text", new() { Exact = true }).FillAsync(word);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"q={word}"));
        var results = page.GetByRole(AriaRole.Region, new() { Name = "Results" });
        await Assertions.Expect(results.GetByRole(AriaRole.Status).First).ToHaveTextAsync("1–2 of 2");
        await Assertions.Expect(results.GetByText($"ERROR payment gateway refused {word}")).ToBeVisibleAsync();
        await Assertions.Expect(results.GetByText(held)).ToHaveCountAsync(0);
        await tab.ScreenshotAsync("logs");
        tab.AssertClean();
    }

    [Fact]
    public async Task A_time_range_that_ends_before_it_starts_shows_the_APIs_refusal()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 400");
        await tab.SignInAsync(path: "/logs");
        var page = tab.Page;
        await page.GetByLabel("From").FillAsync("2026-03-02T08:30");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("2026-03-01T08:30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("from must not be after 'to'");
        await Assertions.Expect(page.GetByLabel("From")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Results" })).ToHaveCountAsync(0);
        tab.AssertClean();
    }

    [Fact]
    public async Task The_results_and_the_tail_fit_a_phone_and_read_in_the_dark()
    {
        foreach (var (width, scheme, name) in new[] { (Tab.PhoneWidth, ColorScheme.Light, "logs"), (Tab.PhoneWidth, ColorScheme.Dark, "logs-dark"), (Tab.DesktopWidth, ColorScheme.Dark, "logs-dark") })
        {
            await using var tab = await chromium.OpenAsync(Host.Address, width, colorScheme: scheme);
            await tab.SignInAsync(path: "/logs");
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Results" }).GetByRole(AriaRole.Listitem).First).ToBeVisibleAsync();
            Assert.False(await tab.ScrollsSidewaysAsync(), $"{name} at {width} scrolls sideways");
            await tab.ScreenshotAsync(name);

            await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Live tail" }).ClickAsync();
            await Assertions.Expect(tab.Page.Locator("[data-stream=open]")).ToBeVisibleAsync();
            Assert.False(await tab.ScrollsSidewaysAsync(), $"{name}'s tail at {width} scrolls sideways");
            tab.AssertClean();
        }
    }
}
