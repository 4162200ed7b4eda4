using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Api.AgentChannel;
using Tyto.Host;

namespace Tyto.Api.Tests;

/// <summary>A real Tyto server node on a free loopback port with its own data directory, driven over real HTTP.</summary>
public sealed class TytoHost : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-password";

    private TytoHost(WebApplication app, string dataDir, Uri address)
    {
        App = app;
        DataDir = dataDir;
        Address = address;
        AgentAddress = new Uri(app.Services.GetRequiredService<AgentListener>().Url);
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public string DataDir { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>The agent endpoint: enrollment and the agents' channel, over TLS with Tyto's CA.</summary>
    public Uri AgentAddress { get; }

    public static string NewDataDir() => Directory.CreateTempSubdirectory("tyto-test-").FullName;

    public static Task<TytoHost> StartAsync(string? dataDir = null, params string[] settings) => StartCoreAsync(dataDir, null, settings);

    /// <summary>Starts a host whose services <paramref name="services"/> replaces: a fake clock, a log capture.</summary>
    public static Task<TytoHost> StartWithAsync(Action<IServiceCollection> services, params string[] settings) => StartCoreAsync(null, services, settings);

    private static async Task<TytoHost> StartCoreAsync(string? dataDir, Action<IServiceCollection>? services, string[] settings)
    {
        dataDir ??= NewDataDir();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--Tyto:Agents:Listen=https://127.0.0.1:0",
            $"--Tyto:DataDir={dataDir}",
            $"--Tyto:Auth:AdminPassword={AdminPassword}",
            "--Tyto:Collection:Interval=1",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var app = TytoServer.Build(args, services);
        await app.InitializeAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TytoHost(app, dataDir, new Uri(address));
    }

    /// <summary>Logs in and returns a client that sends the session's token.</summary>
    public async Task<HttpClient> LoginAsync(string username = "admin", string password = AdminPassword)
    {
        var token = await TokenAsync(username, password);
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> TokenAsync(string username = "admin", string password = AdminPassword)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>Deletes a data directory once no host uses it any more.</summary>
    public static void DeleteDataDir(string dataDir)
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still be closing its WAL; the temp folder is cleaned up by the OS later.
        }
    }
}

/// <summary>One host shared by the tests that only read, so they do not each pay for a start.</summary>
public sealed class SharedHost : IAsyncLifetime
{
    public TytoHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await TytoHost.StartAsync();
        Admin = await Host.LoginAsync();
    }

    /// <summary>A fresh admin session, after a test ended the previous one.</summary>
    public async Task ReloginAsync()
    {
        Admin.Dispose();
        Admin = await Host.LoginAsync();
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        var dataDir = Host.DataDir;
        await Host.DisposeAsync();
        TytoHost.DeleteDataDir(dataDir);
    }
}

[CollectionDefinition(Name)]
public sealed class SharedHostGroup : ICollectionFixture<SharedHost>
{
    public const string Name = "shared host";
}
