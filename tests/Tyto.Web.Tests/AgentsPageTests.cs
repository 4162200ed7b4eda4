using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tyto.Actors.Tests;
using Tyto.Agent.Tests;
using Tyto.Api.Tests;
using Tyto.Collection;

namespace Tyto.Web.Tests;

/// <summary>The agents page against a real server, with real agent processes enrolling at its agent endpoint on loopback.</summary>
public sealed partial class AgentsPageTests(Chromium chromium) : HostPerTest, IClassFixture<Chromium>
{
    private const int Sigcont = 18;
    private const int Sigstop = 19;

    private readonly string _agents = Directory.CreateTempSubdirectory("tyto-web-agents-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_agents, recursive: true);
    }

    [Fact]
    public async Task Adding_a_host_shows_its_command_once_and_the_agent_it_starts_goes_online_then_offline()
    {
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 400");
        tab.Expect("status of 409");
        await tab.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await tab.SignInAsync(path: "/agents");
        var form = tab.Page.GetByRole(AriaRole.Form, new() { Name = "Add a host" });
        var add = form.GetByRole(AriaRole.Button, new() { Name = "Add host" });

        await form.GetByLabel("Agent id").FillAsync("web 1");
        await add.ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("id must be 1 to 64 letters, digits, '.', '_' or '-'");
        await form.GetByLabel("Agent id").FillAsync("local");
        await add.ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("id 'local' is reserved for the server's own host");

        await form.GetByLabel("Agent id").FillAsync("web-1");
        await form.GetByLabel("Name").FillAsync("Web 1");
        await add.ClickAsync();
        var enrollment = tab.Page.GetByRole(AriaRole.Region, new() { Name = "Enroll web-1" });
        await Assertions.Expect(enrollment.GetByText("This token is shown only this once")).ToBeVisibleAsync();
        var token = await enrollment.Locator("dt:text-is('Token') + dd").InnerTextAsync();
        var command = await enrollment.GetByLabel("Command to run on the new host").InnerTextAsync();
        await enrollment.GetByRole(AriaRole.Button, new() { Name = "Copy command" }).ClickAsync();
        await Assertions.Expect(enrollment.GetByText("Copied.")).ToBeVisibleAsync();
        Assert.Equal(command, await tab.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await tab.ScreenshotAsync("agents-enrollment");
        await enrollment.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByText(token)).ToHaveCountAsync(0);
        await Assertions.Expect(Row(tab, "Hosts", "web-1")).ToContainTextAsync("not enrolled yet");

        await form.GetByLabel("Agent id").FillAsync("web-1");
        await add.ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Agent 'web-1' already exists");

        var (stdin, args) = ParseCommand(command);
        Assert.Equal(token, stdin);
        var dataDir = AgentDataDir("web-1");
        await using var agent = await TytoProcess.StartAsync(dataDir, args.Select(a => a.StartsWith("--Tyto:DataDir=", StringComparison.Ordinal) ? $"--Tyto:DataDir={dataDir}" : a), stdin);
        await agent.WaitForOutputAsync("connected to");
        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Fleet" }).ClickAsync();
        var card = tab.Page.GetByRole(AriaRole.Listitem, new() { Name = "Web 1", Exact = true });
        await Assertions.Expect(card.GetByText("online", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(card.Locator("dt:text-is('CPU') + dd .num")).ToHaveTextAsync(new Regex(@"^\d+\.\d %$"), new() { Timeout = 30_000 });

        // Frozen, the agent keeps its TCP connection open but answers no ping: within the heartbeat timeout the page shows
        // it offline (its samples stopped) and so does the server (it dropped the connection); thawed, it comes back.
        Assert.Equal(SignalOutcome.Sent, ProcessSignals.Send(agent.Id, Sigstop));
        await Assertions.Expect(card.GetByText("offline", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Poll.UntilAsync(async () => (await AgentStatusAsync("web-1")) == "offline", "the server lists the frozen agent offline", TimeSpan.FromSeconds(30));
        Assert.Equal(SignalOutcome.Sent, ProcessSignals.Send(agent.Id, Sigcont));
        await Assertions.Expect(card.GetByText("online", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        Assert.Equal(0, await agent.StopAsync());
        await Assertions.Expect(card.GetByText("offline", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        tab.AssertClean();
    }

    [Fact]
    public async Task Requests_are_approved_or_rejected_and_agents_revoked_and_deleted_after_asking()
    {
        await using var edge1 = await StartWithoutTokenAsync("edge-1");
        await using var edge2 = await StartWithoutTokenAsync("edge-2");
        await edge1.WaitForOutputAsync("waiting for approval");
        await edge2.WaitForOutputAsync("waiting for approval");
        await using var tab = await chromium.OpenAsync(Host.Address);
        tab.Expect("status of 409");
        await tab.SignInAsync(path: "/agents");

        await Row(tab, "Waiting for approval", "edge-1").GetByRole(AriaRole.Button, new() { Name = "Approve edge-1" }).ClickAsync();
        await edge1.WaitForOutputAsync("connected to");
        await Assertions.Expect(Row(tab, "Hosts", "edge-1").GetByText("online", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(Row(tab, "Waiting for approval", "edge-2")).ToBeVisibleAsync();
        await ScreenshotsAsync(tab, "agents");
        await ActionsShownToAsync("operator", approve: true, revoke: true, write: false);
        await ActionsShownToAsync("viewer", approve: false, revoke: false, write: false);

        var dialog = tab.Page.GetByRole(AriaRole.Dialog, new() { Name = "Reject edge-2?" });
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Reject edge-2" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(Row(tab, "Waiting for approval", "edge-2")).ToBeVisibleAsync();
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Reject edge-2" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        Assert.Equal(2, await edge2.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Assertions.Expect(tab.Page.GetByText("No host is asking to join.")).ToBeVisibleAsync();

        // A request another operator approved meanwhile, on a list not refreshed yet: the API's 409 is shown.
        await using var edge3 = await StartWithoutTokenAsync("edge-3");
        await edge3.WaitForOutputAsync("waiting for approval");
        await Assertions.Expect(Row(tab, "Waiting for approval", "edge-3")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        using (var stale = await Admin.GetAsync("/api/v1/agents/pending"))
        {
            var body = await stale.Content.ReadAsStringAsync();
            await tab.Page.RouteAsync("**/api/v1/agents/pending", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body }));
        }
        using (var approved = await Admin.PostJsonAsync("/api/v1/agents/pending/edge-3/approve", new { }))
            await approved.JsonAsync(HttpStatusCode.OK);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Approve edge-3" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Agent 'edge-3' is not waiting for approval");
        await tab.Page.UnrouteAllAsync();

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke edge-1" }).ClickAsync();
        await tab.Page.GetByRole(AriaRole.Dialog, new() { Name = "Revoke edge-1?" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(Row(tab, "Hosts", "edge-1").GetByText("revoked", new() { Exact = true }).First).ToBeVisibleAsync();
        Assert.Equal(3, await edge1.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke edge-1" })).ToHaveCountAsync(0);

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Delete edge-1" }).ClickAsync();
        await tab.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete edge-1?" }).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(Row(tab, "Hosts", "edge-1")).ToHaveCountAsync(0);
        using (var gone = await Admin.GetAsync("/api/v1/agents/edge-1"))
            await gone.ErrorAsync(HttpStatusCode.NotFound, "AGENT_NOT_FOUND");
        tab.AssertClean();
    }

    private async Task<string?> AgentStatusAsync(string agentId)
    {
        using var response = await Admin.GetAsync($"/api/v1/agents/{agentId}");
        return (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString();
    }

    /// <summary>The table row of <paramref name="agentId"/> in the section <paramref name="section"/>.</summary>
    private static ILocator Row(Tab tab, string section, string agentId) =>
        tab.Page.GetByRole(AriaRole.Region, new() { Name = section }).GetByRole(AriaRole.Row).Filter(new() { Has = tab.Page.GetByText(agentId, new() { Exact = true }) });

    private string AgentDataDir(string agentId) => Directory.CreateDirectory(Path.Combine(_agents, agentId)).FullName;

    /// <summary>An agent with nothing on stdin and no token file: it asks for approval and waits.</summary>
    private Task<TytoProcess> StartWithoutTokenAsync(string agentId)
    {
        var dataDir = AgentDataDir(agentId);
        return TytoProcess.StartAsync(dataDir,
            ["agent", $"--Tyto:DataDir={dataDir}", $"--Tyto:Agent:Id={agentId}", $"--Tyto:Agent:Server:0={Host.AgentAddress.GetLeftPart(UriPartial.Authority)}", "--Tyto:Collection:Interval=1"]);
    }

    /// <summary>
    /// The shown command as the test runs it: <c>printf '%s\n' TOKEN | dotnet Tyto.Host.dll ARGS</c> gives the token on
    /// stdin and the arguments; the test's own Tyto.Host.dll stands in for the one named.
    /// </summary>
    private static (string Stdin, List<string> Args) ParseCommand(string command)
    {
        var match = CommandPattern().Match(command);
        Assert.True(match.Success, $"not the expected command: {command}");
        List<string> words = [.. ShellWord().Matches(match.Groups["args"].Value).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];
        return (match.Groups["token"].Value, words);
    }

    [GeneratedRegex(@"^printf '%s\\n' (?<token>[A-Za-z0-9_-]+) \| dotnet Tyto\.Host\.dll (?<args>agent .+)$")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"'(?<quoted>[^']*)'|\S+")]
    private static partial Regex ShellWord();

    /// <summary>Screenshots at both widths in both themes; the page must not scroll sideways at any.</summary>
    private static async Task ScreenshotsAsync(Tab tab, string name)
    {
        foreach (var width in new[] { Tab.DesktopWidth, Tab.PhoneWidth })
        {
            await tab.Page.SetViewportSizeAsync(width, 800);
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await tab.Page.EmulateMediaAsync(new() { ColorScheme = scheme });
                Assert.False(await tab.ScrollsSidewaysAsync(), $"the {name} page scrolls sideways at {width} px");
                await tab.ScreenshotAsync(scheme == ColorScheme.Dark ? $"{name}-dark" : name);
            }
        }
        await tab.Page.SetViewportSizeAsync(Tab.DesktopWidth, 800);
        await tab.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
    }

    /// <summary>Signs in a user of <paramref name="role"/> and checks which of the page's actions it is shown.</summary>
    private async Task ActionsShownToAsync(string role, bool approve, bool revoke, bool write)
    {
        var password = $"{role}-password-1";
        using (var created = await Admin.PostJsonAsync("/api/v1/users", new { username = role, password, roles = new[] { role } }))
            await created.JsonAsync(HttpStatusCode.Created);
        await using var tab = await chromium.OpenAsync(Host.Address);
        await tab.SignInAsync(role, password, "/agents");
        await Assertions.Expect(Row(tab, "Waiting for approval", "edge-2")).ToBeVisibleAsync();
        await Assertions.Expect(Row(tab, "Hosts", "edge-1")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Approve edge-2" })).ToHaveCountAsync(approve ? 1 : 0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Reject edge-2" })).ToHaveCountAsync(approve ? 1 : 0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke edge-1" })).ToHaveCountAsync(revoke ? 1 : 0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Delete edge-1" })).ToHaveCountAsync(write ? 1 : 0);
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Add a host" })).ToHaveCountAsync(write ? 1 : 0);
        tab.AssertClean();
    }
}
