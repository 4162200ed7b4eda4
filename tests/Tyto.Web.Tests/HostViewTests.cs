using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Actors.Tests;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

public sealed class HostViewTests(Chromium chromium, SharedHost shared) : IClassFixture<Chromium>, IClassFixture<SharedHost>
{
    private const string Password = "host-view-password";

    private static async Task<int> PointsAsync(ILocator chart) =>
        int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);

    private static Task<int> WaitForPointsAsync(ILocator chart, int more) =>
        Poll.ForAsync(() => PointsAsync(chart), points => points > more, $"the chart shows more than {more} points");

    /// <summary>Drags across the plot area of <paramref name="chart"/> from one fraction of its width to another.</summary>
    private static async Task DragAsync(IPage page, ILocator chart, float from, float to)
    {
        var plot = await chart.Locator(".u-over").BoundingBoxAsync() ?? throw new InvalidOperationException("The chart has no plot area");
        var y = plot.Y + plot.Height / 2;
        await page.Mouse.MoveAsync(plot.X + plot.Width * from, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + plot.Width * to, y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    private async Task CreateUserAsync(string username, params string[] roles)
    {
        using var response = await shared.Admin.PostAsJsonAsync("/api/v1/users", new { username, password = Password, email = (string?)null, roles });
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_cpu_chart_gains_points_live_and_history_narrows_to_a_window_dragged_on_it()
    {
        await using var tab = await chromium.OpenAsync(shared.Host.Address);
        await tab.SignInAsync(path: "/hosts/local");
        var cpu = tab.Page.Locator("[data-chart=cpu]");
        await Assertions.Expect(tab.Page.Locator("[data-stream=open]")).ToBeVisibleAsync();
        var seen = await WaitForPointsAsync(cpu, 1);
        await WaitForPointsAsync(cpu, seen);
        await Assertions.Expect(tab.Page.GetByText("Kernel")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("[data-chart=cores]")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("host");

        // The plots are drawn anew in the colours of the theme picked.
        await cpu.EvaluateAsync("e => window.drawn = e.querySelector('.uplot')");
        var theme = tab.Page.GetByRole(AriaRole.Button, new() { Name = "Theme:" });
        await theme.ClickAsync();
        await Poll.UntilAsync(() => cpu.EvaluateAsync<bool>("e => e.querySelector('.uplot') !== window.drawn"), "the chart is drawn again");
        Assert.True(await PointsAsync(cpu) > seen);

        await tab.Page.GetByRole(AriaRole.Group, new() { Name = "Range" }).GetByRole(AriaRole.Button, new() { Name = "1 h" }).ClickAsync();
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("[?&]range=1h"));
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "at resolution raw" })).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("[data-chart=cores]")).ToHaveCountAsync(0);
        await WaitForPointsAsync(cpu, 0);
        var export = tab.Page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" });
        await Assertions.Expect(export).ToHaveAttributeAsync("href", new Regex("format=csv&from=.+&to=.+&resolution=raw&agent_id=local&access_token="));
        await Assertions.Expect(export).ToHaveAttributeAsync("download", "");

        await DragAsync(tab.Page, cpu, 0.5f, 0.995f);
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("[?&]zoom="));
        var zoom = Uri.UnescapeDataString(Regex.Match(tab.Page.Url, "[?&]zoom=([^&]+)").Groups[1].Value).Split('/');
        var window = DateTime.Parse(zoom[1], CultureInfo.InvariantCulture) - DateTime.Parse(zoom[0], CultureInfo.InvariantCulture);
        Assert.InRange(window, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(40));
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "at resolution raw" })).ToBeVisibleAsync();
        await WaitForPointsAsync(cpu, 0);
        await tab.ScreenshotAsync("host-zoomed");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Reset zoom" }).ClickAsync();
        await Assertions.Expect(tab.Page).Not.ToHaveURLAsync(new Regex("zoom="));
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("[?&]range=1h"));

        // A custom range starts as the hour shown; a window that ends before it starts is refused.
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Custom" }).ClickAsync();
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("[?&]range=custom&from=.+&to="));
        var to = DateTime.ParseExact(await tab.Page.GetByLabel("To").InputValueAsync(), "yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        await tab.Page.GetByLabel("From").FillAsync(to.AddHours(1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The start must be before the end.");
        var from = to.AddMinutes(-10).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        await tab.Page.GetByLabel("From").FillAsync(from);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "at resolution raw" })).ToBeVisibleAsync();
        var shown = Uri.UnescapeDataString(Regex.Match(tab.Page.Url, "[?&]from=([^&]+)").Groups[1].Value);
        Assert.Equal(DateTime.ParseExact(from, "yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), DateTime.Parse(shown, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).ToLocalTime());

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Live" }).ClickAsync();
        await Assertions.Expect(tab.Page.Locator("[data-chart=cores]")).ToBeVisibleAsync();
        tab.AssertClean();
    }

    [Fact]
    public async Task The_process_table_filters_and_an_admin_signals_only_what_was_confirmed()
    {
        // A process of this test's own, the only one whose command line holds this duration.
        var duration = $"600.{Environment.ProcessId}{Random.Shared.Next(1000, 9999)}";
        using var child = Process.Start(new ProcessStartInfo("sleep", duration)) ?? throw new InvalidOperationException("sleep did not start");
        try
        {
            await using var tab = await chromium.OpenAsync(shared.Host.Address);
            await tab.SignInAsync(path: "/hosts/local");
            var processes = tab.Page.GetByRole(AriaRole.Region, new() { Name = "Processes" });
            await Assertions.Expect(processes.GetByRole(AriaRole.Row)).Not.ToHaveCountAsync(0);
            Assert.True(await processes.GetByRole(AriaRole.Row).CountAsync() > 3, "the table lists every process");

            await processes.GetByLabel("Filter by name or command").FillAsync(duration);
            var row = processes.GetByRole(AriaRole.Row).Filter(new() { HasText = child.Id.ToString(CultureInfo.InvariantCulture) });
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await Assertions.Expect(processes.Locator("tbody tr")).ToHaveCountAsync(1);

            await row.GetByRole(AriaRole.Combobox).SelectOptionAsync("TERM");
            await row.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            var dialog = tab.Page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog).ToContainTextAsync("Send SIGTERM to sleep?");
            await tab.ScreenshotAsync("host-signal");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Assertions.Expect(dialog).Not.ToBeVisibleAsync();
            Assert.False(child.HasExited);

            await row.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Send SIGTERM" }).ClickAsync();
            await Assertions.Expect(processes.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Sent SIGTERM to sleep ({child.Id}).");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await child.WaitForExitAsync(exit.Token);
            // Gone from the list at its next refresh, every 5 s.
            await Assertions.Expect(processes.GetByText("No process matches the filter")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            tab.AssertClean();
        }
        finally
        {
            if (!child.HasExited)
                child.Kill();
        }
    }

    [Fact]
    public async Task Without_processes_signal_no_signal_control_shows_and_without_history_only_live()
    {
        using (var role = await shared.Admin.PostAsJsonAsync("/api/v1/roles", new
        {
            name = "Process watcher",
            description = "Sees processes, no history",
            permissions = new[] { "dashboard:view", "metrics:read", "processes:read" },
        }))
        {
            role.EnsureSuccessStatusCode();
        }
        await CreateUserAsync("watcher", "process-watcher");
        await CreateUserAsync("host-viewer", "viewer");

        await using (var tab = await chromium.OpenAsync(shared.Host.Address))
        {
            await tab.SignInAsync("watcher", Password, "/hosts/local");
            var processes = tab.Page.GetByRole(AriaRole.Region, new() { Name = "Processes" });
            await Assertions.Expect(processes.Locator("tbody tr").First).ToBeVisibleAsync();
            await Assertions.Expect(processes.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToHaveCountAsync(0);
            await Assertions.Expect(processes.GetByRole(AriaRole.Combobox)).ToHaveCountAsync(0);
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Group, new() { Name = "Range" }).GetByRole(AriaRole.Button)).ToHaveTextAsync(["Live"]);

            tab.Expect("status of 404");
            await tab.GoToAsync("/hosts/nowhere");
            await Assertions.Expect(tab.Page.GetByText("No such host")).ToBeVisibleAsync();
            await Assertions.Expect(tab.Page.GetByText("No agent 'nowhere'")).ToBeVisibleAsync();
            tab.AssertClean();
        }

        await using (var tab = await chromium.OpenAsync(shared.Host.Address))
        {
            await tab.SignInAsync("host-viewer", Password, "/hosts/local");
            await WaitForPointsAsync(tab.Page.Locator("[data-chart=cpu]"), 0);
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Group, new() { Name = "Range" }).GetByRole(AriaRole.Button)).ToHaveCountAsync(7);
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToHaveCountAsync(0);
            await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Processes" })).ToHaveCountAsync(0);
            tab.AssertClean();
        }
    }

    [Theory]
    [InlineData(Tab.PhoneWidth, ColorScheme.Light)]
    [InlineData(Tab.PhoneWidth, ColorScheme.Dark)]
    [InlineData(Tab.DesktopWidth, ColorScheme.Dark)]
    public async Task The_host_view_fits_the_screen_in_light_and_dark(int width, ColorScheme scheme)
    {
        await using var tab = await chromium.OpenAsync(shared.Host.Address, width, colorScheme: scheme);
        await tab.SignInAsync(path: "/hosts/local");
        var cpu = tab.Page.Locator("[data-chart=cpu]");
        await WaitForPointsAsync(cpu, 2);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Region, new() { Name = "Processes" }).Locator("tbody tr").First).ToBeVisibleAsync();
        Assert.False(await tab.ScrollsSidewaysAsync(), "the page scrolls sideways");
        if (width == Tab.PhoneWidth)
        {
            var chartWidth = await cpu.EvaluateAsync<double>("e => e.getBoundingClientRect().width");
            Assert.True(chartWidth > width * 0.75, $"the chart is {chartWidth} px wide at {width}");
        }
        await tab.ScreenshotAsync(scheme == ColorScheme.Dark ? "host-dark" : "host");
        tab.AssertClean();
    }
}
