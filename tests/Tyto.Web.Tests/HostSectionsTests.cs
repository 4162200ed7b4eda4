using System.Runtime.Versioning;
using Microsoft.Playwright;
using Tyto.Actors.Tests.Collection;
using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>
/// The host view of a host that has everything: the sensors of a captured host (<c>tests/fixtures/host-bigiron</c>),
/// GPUs from a fake nvidia-smi, containers from a fake Docker engine and services from a fake systemctl, all
/// replaying recorded output. Each optional section shows what its collector read.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostSectionsTests(Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Systemctl = """
        #!/bin/sh
        cat "$(dirname "$0")/list-units.json"
        """;

    private readonly FakeNvidiaSmi _nvidia = new FakeNvidiaSmi().Install("two-gpus.csv");
    private readonly string _directory = Directory.CreateTempSubdirectory("tyto-web-sections-").FullName;
    private FakeDockerEngine _engine = null!;
    private TytoHost _host = null!;

    public async Task InitializeAsync()
    {
        var root = Path.Combine(_directory, "root");
        CopyTree(Path.Combine(AppContext.BaseDirectory, "fixtures", "host-bigiron"), root);
        Directory.CreateDirectory(Path.Combine(root, "run", "systemd", "system"));
        var systemctl = Path.Combine(_directory, "systemctl");
        File.WriteAllText(systemctl, Systemctl.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "systemd", "list-units.json"), Path.Combine(_directory, "list-units.json"));

        _engine = await FakeDockerEngine.StartAsync(Path.Combine(_directory, "docker.sock"));
        _engine.Stats["41833a61eecb28f0d1cc8abab484f496b0afcb7634c87cbaf6316c9982d17475"] = FakeDockerEngine.Recorded("stats-devbox.json");
        _host = await TytoHost.StartAsync(
            null,
            $"--Tyto:Collection:RootPath={root}",
            $"--Tyto:Gpu:NvidiaSmi={_nvidia.Executable}",
            $"--Tyto:Docker:Socket={_engine.Socket}",
            $"--Tyto:Systemd:Systemctl={systemctl}");
    }

    public async Task DisposeAsync()
    {
        var dataDir = _host.DataDir;
        await _host.DisposeAsync();
        TytoHost.DeleteDataDir(dataDir);
        await _engine.DisposeAsync();
        _nvidia.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(Tab.DesktopWidth)]
    [InlineData(Tab.PhoneWidth)]
    public async Task Temperatures_gpus_containers_and_services_each_show_what_was_read(int width)
    {
        await using var tab = await chromium.OpenAsync(_host.Address, width);
        await tab.SignInAsync(path: "/hosts/local");
        var main = tab.Page.Locator("main");

        await Assertions.Expect(Section(main, "Temperatures")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(Section(main, "GPUs")).ToContainTextAsync("GeForce GTX 1080 Ti", new() { Timeout = 30_000 });
        await Assertions.Expect(Section(main, "Containers")).ToContainTextAsync("devbox", new() { Timeout = 30_000 });
        await Assertions.Expect(Section(main, "Services")).ToContainTextAsync("apache2.service", new() { Timeout = 30_000 });
        await Assertions.Expect(Section(main, "Services")).ToContainTextAsync("failed");
        Assert.True(await Section(main, "Temperatures").GetByRole(AriaRole.Row).CountAsync() > 1);
        Assert.False(await tab.ScrollsSidewaysAsync());
        await tab.ScreenshotAsync("host-sections");
        tab.AssertClean();
    }

    private static ILocator Section(ILocator main, string heading) =>
        main.Locator("section, .card").Filter(new() { Has = main.Page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true }) }).Last;

    private static void CopyTree(string from, string to)
    {
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
