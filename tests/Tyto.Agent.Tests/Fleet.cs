using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tyto.Actors.Tests;

namespace Tyto.Agent.Tests;

/// <summary>A real Tyto server and real agent processes on loopback, each with a data dir of its own; all killed and deleted on dispose.</summary>
public sealed class Fleet : IAsyncDisposable
{
    public const string AdminPassword = "fleet-admin-password";

    private readonly string _root = Directory.CreateTempSubdirectory("tyto-fleet-").FullName;
    private readonly int _apiPort = TytoProcess.FreePort();
    private readonly int _agentPort = TytoProcess.FreePort();
    private readonly List<TytoProcess> _processes = [];

    private Fleet() => Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPort}"), Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Api { get; }

    public TytoProcess Server { get; private set; } = null!;

    public string AgentEndpoint => $"https://127.0.0.1:{_agentPort}";

    public static async Task<Fleet> StartAsync()
    {
        var fleet = new Fleet();
        try
        {
            await fleet.StartServerAsync();
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, on the same ports and data) and signs in as admin.</summary>
    public async Task StartServerAsync()
    {
        var dataDir = Directory.CreateDirectory(Path.Combine(_root, "server")).FullName;
        Server = await StartAsync(dataDir,
        [
            "--urls", $"http://127.0.0.1:{_apiPort}", $"--Tyto:DataDir={dataDir}", $"--Tyto:Auth:AdminPassword={AdminPassword}",
            $"--Tyto:Agents:Listen={AgentEndpoint}", "--Tyto:Collection:Interval=1",
        ]);
        await Server.WaitForOutputAsync("Agents connect to");
        await Api.SignInAsAdminAsync(AdminPassword);
    }

    public string AgentDataDir(string agentId) => Path.Combine(_root, "agents", agentId);

    /// <summary>A folder of the fleet's own, deleted with it.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    /// <summary>Starts an agent collecting every second; with <paramref name="token"/> in a token file, else with nothing on stdin.</summary>
    public Task<TytoProcess> StartAgentAsync(string agentId, string? token = null, params string[] settings)
    {
        var dataDir = Directory.CreateDirectory(AgentDataDir(agentId)).FullName;
        List<string> args = ["agent", $"--Tyto:DataDir={dataDir}", $"--Tyto:Agent:Id={agentId}", $"--Tyto:Agent:Server:0={AgentEndpoint}", "--Tyto:Collection:Interval=1"];
        if (token is not null)
        {
            var file = Path.Combine(_root, $"{agentId}.token");
            File.WriteAllText(file, token);
            args.Add($"--Tyto:Agent:EnrollmentTokenFile={file}");
        }
        return StartAsync(dataDir, [.. args, .. settings]);
    }

    /// <summary>Pre-registers an agent; its one-time enrollment token.</summary>
    public async Task<string> RegisterAsync(string agentId)
    {
        using var response = await Api.PostAsJsonAsync("/api/v1/agents", new { id = agentId, name = agentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enrollment").GetProperty("token").GetString()!;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> PostAsync(string path, object? body = null)
    {
        using var response = await Api.PostAsJsonAsync(path, body ?? new { });
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Waits until the agent's resource satisfies <paramref name="accept"/>; returns it.</summary>
    public Task<JsonElement> AgentWhenAsync(string agentId, Func<JsonElement, bool> accept, string what, TimeSpan? timeout = null) =>
        Poll.ForAsync(() => GetAsync($"/api/v1/agents/{agentId}"), accept, $"agent '{agentId}' is {what}", timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>The timestamps of the agent's raw history since <paramref name="from"/>.</summary>
    public async Task<IReadOnlyList<DateTime>> RawHistoryAsync(string agentId, DateTime from)
    {
        var history = await GetAsync($"/api/v1/history?agent_id={agentId}&resolution=raw&from={from:O}&to={DateTime.UtcNow.AddMinutes(1):O}");
        return [.. history.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("timestamp").GetDateTime().ToUniversalTime())];
    }

    /// <summary>The next sample of <paramref name="agentId"/> on <c>/api/v1/stream</c>.</summary>
    public async Task<JsonElement> NextStreamSampleAsync(string agentId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Api.GetAsync($"/api/v1/stream?agent_id={agentId}", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
                continue;
            var data = JsonSerializer.Deserialize<JsonElement>(line["data: ".Length..]);
            if (data.TryGetProperty("agentId", out var id) && id.GetString() == agentId)
                return data;
        }
        throw new EndOfStreamException("the stream ended without a sample of " + agentId);
    }

    /// <summary>The messages the log search finds for <paramref name="query"/>, oldest first, and its total.</summary>
    public async Task<(List<string> Messages, int Total)> LogsAsync(string query)
    {
        var page = await GetAsync($"/api/v1/logs?limit=1000&{query}");
        List<string> messages = [.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
        messages.Reverse();
        return (messages, page.GetProperty("total").GetInt32());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        Api.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<TytoProcess> StartAsync(string dataDir, IEnumerable<string> args)
    {
        var process = await TytoProcess.StartAsync(dataDir, args);
        _processes.Add(process);
        return process;
    }
}
