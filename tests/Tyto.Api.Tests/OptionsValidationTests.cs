using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tyto.Host;

namespace Tyto.Api.Tests;

/// <summary>Every key of the Tyto section is checked before the server uses it, and every mistake is named at once.</summary>
public sealed class OptionsValidationTests
{
    private const string ClusterSecret = "a cluster secret of some length";

    [Theory]
    [InlineData("Tyto:Mode", "satellite")]
    [InlineData("Tyto:DataDir", " ")]
    [InlineData("Tyto:Database:Provider", "mysql")]
    [InlineData("Tyto:Auth:SessionLifetime", "00:00:00")]
    [InlineData("Tyto:Auth:SessionLifetime", "-01:00:00")]
    [InlineData("Tyto:Auth:SessionLifetime", "400.00:00:00")]
    [InlineData("Tyto:Auth:LoginThrottle:Window", "00:00:00")]
    [InlineData("Tyto:Auth:LoginThrottle:SlowDown", "-00:00:01")]
    [InlineData("Tyto:Auth:AuditRetention", "00:00:00")]
    [InlineData("Tyto:Auth:LoginThrottle:MaxFailuresPerUser", "0")]
    [InlineData("Tyto:Auth:LoginThrottle:MaxFailuresPerAddress", "0")]
    [InlineData("Tyto:Agent:Id", "")]
    [InlineData("Tyto:Agent:Id", "web:1")]
    [InlineData("Tyto:Agent:Id", "web 1")]
    [InlineData("Tyto:Agent:Id", "wéb")]
    [InlineData("Tyto:Agent:Id", "a123456789a123456789a123456789a123456789a123456789a123456789abcde")]
    [InlineData("Tyto:Agents:Listen", "http://0.0.0.0:8443")]
    [InlineData("Tyto:Agents:Listen", "https://tyto.example:8443")]
    [InlineData("Tyto:Agents:Listen", "https://0.0.0.0:99999")]
    [InlineData("Tyto:Agents:Listen", "8443")]
    [InlineData("Tyto:Agents:Listen", "0.0.0.0:8443")]
    [InlineData("Tyto:Agents:MaxPending", "0")]
    [InlineData("Tyto:Collection:Interval", "0")]
    [InlineData("Tyto:Collection:Interval", "3601")]
    [InlineData("Tyto:Collection:Interval", "two")]
    [InlineData("Tyto:Collection:RootPath", "/no/such/root")]
    [InlineData("Tyto:Collection:RootPath", "/etc")]
    [InlineData("Tyto:History:BatchSize", "0")]
    [InlineData("Tyto:History:Buffer", "9999")]
    [InlineData("Tyto:History:BatchWindow", "00:00:00")]
    [InlineData("Tyto:History:RetryDelay", "00:00:00")]
    [InlineData("Tyto:History:MaxRetryDelay", "00:00:00.5")]
    [InlineData("Tyto:History:IdleGrace", "-00:00:01")]
    [InlineData("Tyto:History:PruneInterval", "00:00:00")]
    [InlineData("Tyto:History:PruneBatch", "0")]
    [InlineData("Tyto:History:Retention:Raw", "00:00:00")]
    [InlineData("Tyto:History:Retention:OneMinute", "00:00:00")]
    [InlineData("Tyto:History:Retention:FiveMinutes", "00:00:00")]
    [InlineData("Tyto:History:Retention:OneHour", "-1.00:00:00")]
    [InlineData("Tyto:Alerts:For", "-00:00:01")]
    [InlineData("Tyto:Alerts:Hysteresis", "100")]
    [InlineData("Tyto:Alerts:Hysteresis", "-1")]
    [InlineData("Tyto:Alerts:SnapshotEvery", "0")]
    [InlineData("Tyto:Gpu:NvidiaSmi", " ")]
    [InlineData("Tyto:Docker:Socket", " ")]
    [InlineData("Tyto:Docker:Timeout", "00:00:00")]
    [InlineData("Tyto:Docker:Concurrency", "0")]
    [InlineData("Tyto:Docker:LogRefresh", "00:00:00")]
    [InlineData("Tyto:Systemd:Systemctl", " ")]
    [InlineData("Tyto:Systemd:Refresh", "-00:00:01")]
    [InlineData("Tyto:Logs:Journalctl", " ")]
    [InlineData("Tyto:Logs:Files:0", "var/log/*.log")]
    [InlineData("Tyto:Logs:Files:0", "/var/log/../secret/*.log")]
    [InlineData("Tyto:Logs:Files:0", "/var/log/")]
    [InlineData("Tyto:Logs:Files:0", " ")]
    [InlineData("Tyto:Logs:MaxLineBytes", "255")]
    [InlineData("Tyto:Logs:MaxLineBytes", "1048577")]
    [InlineData("Tyto:Logs:Retention", "00:00:00")]
    [InlineData("Tyto:Logs:MaxMb", "0")]
    [InlineData("Tyto:Cluster:Hostname", " ")]
    [InlineData("Tyto:Cluster:Port", "-1")]
    [InlineData("Tyto:Cluster:Port", "65536")]
    [InlineData("Tyto:Cluster:Secret", "fifteen chars..")]
    [InlineData("Tyto:Cluster:SecretFile", "/nonexistent/tyto-cluster-secret")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build([$"--{key}={value}"]));

        var failure = Assert.Single(refused.Failures);
        Assert.Contains(key, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:4053")]
    [InlineData("http://tyto@localhost:4053")]
    [InlineData("akka.tcp://tyto@localhost:4053")]
    [InlineData("akka.ssl.tcp://other@localhost:4053")]
    [InlineData("akka.ssl.tcp://tyto@:4053")]
    [InlineData("akka.ssl.tcp://tyto@localhost:0")]
    [InlineData("akka.ssl.tcp://tyto@localhost:4053/user/x")]
    public void A_seed_that_is_not_a_tls_address_of_a_tyto_node_is_refused(string seed)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build([$"--Tyto:Cluster:Seeds:0={seed}", $"--Tyto:Cluster:Secret={ClusterSecret}"]));

        Assert.StartsWith("Tyto:Cluster:Seeds:0", Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_of_a_cluster_needs_the_cluster_secret_and_an_agent_id_of_its_own()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build(["--Tyto:Cluster:Seeds:0=akka.ssl.tcp://tyto@seed-a:4053", "--Tyto:Agent:Id=local"]));

        Assert.Equal(2, refused.Failures.Count());
        Assert.Contains(refused.Failures, f => f.StartsWith("Tyto:Cluster:Secret (or Tyto:Cluster:SecretFile) must be set when Tyto:Cluster:Seeds is", StringComparison.Ordinal));
        Assert.Contains(refused.Failures, f => f.StartsWith("Tyto:Agent:Id 'local' is a single node's", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_given_another_secret_than_the_cluster_ca_was_stored_with_is_refused_naming_the_key()
    {
        var dataDir = TytoHost.NewDataDir();
        await using (var first = TytoServer.Build([$"--Tyto:DataDir={dataDir}", "--Tyto:Auth:AdminPassword=first-admin-password", $"--Tyto:Cluster:Secret={ClusterSecret}"]))
            await first.InitializeAsync();
        await using var second = TytoServer.Build([$"--Tyto:DataDir={dataDir}", "--Tyto:Auth:AdminPassword=first-admin-password", "--Tyto:Cluster:Secret=not the secret the CA has"]);

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => second.InitializeAsync());

        Assert.StartsWith("Tyto:Cluster:Secret does not open the cluster CA", Assert.Single(refused.Failures), StringComparison.Ordinal);
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public void The_cluster_secret_comes_from_the_key_or_a_file_not_both()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $"  {ClusterSecret}\n");
            var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build([$"--Tyto:Cluster:Secret={ClusterSecret}", $"--Tyto:Cluster:SecretFile={file}"]));
            Assert.StartsWith("Tyto:Cluster:Secret and Tyto:Cluster:SecretFile are both set", Assert.Single(refused.Failures), StringComparison.Ordinal);

            var options = TytoConfiguration.Bind(new ConfigurationBuilder().AddCommandLine([$"--Tyto:Cluster:SecretFile={file}"]).Build());
            Assert.Equal(ClusterSecret, options.Cluster.ReadSecret());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void PostgreSQL_without_a_connection_string_is_refused_naming_the_key()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build(["--Tyto:Database:Provider=postgres"]));

        Assert.StartsWith("Tyto:Database:ConnectionString must be set", Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TytoServer.Build(
        [
            "--Tyto:Auth:SessionLifetime=00:00:00",
            "--Tyto:Auth:LoginThrottle:MaxFailuresPerUser=0",
            "--Tyto:Agent:Id=web:1",
            "--Tyto:Cluster:Seeds:0=akka.ssl.tcp://tyto@seed-a:4053",
            "--Tyto:Cluster:Seeds:1=seed-b:4053",
            $"--Tyto:Cluster:Secret={ClusterSecret}",
            "--Tyto:History:PruneBatch=0",
        ]));

        Assert.Equal(5, refused.Failures.Count());
        foreach (var key in new[] { "Tyto:Auth:SessionLifetime", "Tyto:Auth:LoginThrottle:MaxFailuresPerUser", "Tyto:Agent:Id", "Tyto:Cluster:Seeds:1", "Tyto:History:PruneBatch" })
            Assert.Contains(refused.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_defaults_pass_and_come_from_the_option_classes_alone()
    {
        var dataDir = TytoHost.NewDataDir();
        await using var app = TytoServer.Build(
        [
            $"--Tyto:DataDir={dataDir}",
            "--Tyto:Cluster:Seeds:0=akka.ssl.tcp://tyto@seed-a.example:4053",
            "--Tyto:Cluster:Seeds:1=akka.ssl.tcp://tyto@[::1]:4053",
            $"--Tyto:Cluster:Secret={ClusterSecret}",
        ]);

        var options = app.Services.GetRequiredService<IOptions<TytoOptions>>().Value;
        // A node of a cluster monitors its own host under its hostname.
        var defaults = new TytoOptions { DataDir = dataDir, Cluster = { Seeds = options.Cluster.Seeds, Secret = ClusterSecret }, Agent = { Id = Environment.MachineName } };
        Assert.Equal(JsonSerializer.Serialize(defaults), JsonSerializer.Serialize(options));
        // appsettings.json keeps the logging levels only: a second copy of the defaults there could drift.
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.Empty(file.GetChildKeys([], TytoOptions.Section)));
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public async Task A_server_started_with_bad_options_exits_listing_each_error_without_a_stack_trace()
    {
        var dataDir = TytoHost.NewDataDir();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Tyto.Host.dll"), "--urls", $"http://127.0.0.1:{FreePort()}", $"--Tyto:DataDir={dataDir}",
            "--Tyto:Auth:LoginThrottle:MaxFailuresPerUser=0", "--Tyto:Agent:Id=web:1", "--Tyto:Cluster:Port=70000",
        })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout + await stderr;

            Assert.Equal(1, process.ExitCode);
            var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("Tyto:Auth:LoginThrottle:MaxFailuresPerUser must be at least 1", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Tyto:Agent:Id 'web:1' must be", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Tyto:Cluster:Port must be", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
            Assert.DoesNotContain("exception", output, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            TytoHost.DeleteDataDir(dataDir);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
