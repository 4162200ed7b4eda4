using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Tyto.Actors.Tests.Collection;
using Tyto.Collection;

namespace Tyto.Api.Tests;

/// <summary>Tyto.Host as an operator runs it: a separate process, stopped with SIGTERM.</summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessLifecycleTests
{
    private const int Sigterm = 15;
    private const string PasswordBanner = "Tyto created the user 'admin' with the password:";

    /// <summary>What no entry of a clean start and stop may contain: log levels, exceptions, stack frames.</summary>
    private static readonly string[] Noise = ["warn", "fail", "error", "exception", "   at "];

    /// <summary>
    /// Akka's warning that the scheduler ran seconds late reports the load of the machine the tests run on (other
    /// builds and test runs), not Tyto's start or stop; it is the one warning a clean run may show.
    /// </summary>
    private const string StarvedScheduler = "Scheduled sending of heartbeat was delayed";

    [Fact]
    public async Task First_start_prints_a_generated_password_once_and_sigterm_stops_cleanly()
    {
        var dataDir = TytoHost.NewDataDir();
        var port = FreePort();

        var (firstOutput, firstExit) = await RunUntilSigtermAsync(dataDir, port, async output =>
        {
            var password = GeneratedPassword(output.ToString());
            Assert.False(string.IsNullOrWhiteSpace(password));
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var login = await client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password });
            await login.JsonAsync(HttpStatusCode.OK);
        });
        Assert.Equal(0, firstExit);
        AssertCleanConsole(firstOutput, port, dataDir);

        var (secondOutput, secondExit) = await RunUntilSigtermAsync(dataDir, port, async _ =>
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var login = await client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = GeneratedPassword(firstOutput) });
            await login.JsonAsync(HttpStatusCode.OK);
        });
        Assert.Equal(0, secondExit);
        AssertCleanConsole(secondOutput, port, dataDir);
        Assert.DoesNotContain(PasswordBanner, secondOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratedPassword(firstOutput), secondOutput, StringComparison.Ordinal);
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public async Task Sigterm_ends_open_streams_cleanly_and_the_console_stays_quiet()
    {
        var dataDir = TytoHost.NewDataDir();
        var port = FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var streams = new List<SseReader>();
        try
        {
            var (output, exitCode) = await RunUntilSigtermAsync(dataDir, port, async _ =>
            {
                using var login = await client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = TytoHost.AdminPassword });
                var token = (await login.JsonAsync(HttpStatusCode.OK)).GetProperty("token").GetString();
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                for (var i = 0; i < 2; i++)
                    streams.Add(await SseReader.OpenAsync(client, "/api/v1/stream", Deadline()));
                foreach (var stream in streams)
                    await stream.NextSampleAsync(Deadline());
            }, settings: [$"--Tyto:Auth:AdminPassword={TytoHost.AdminPassword}", "--Tyto:Collection:Interval=1"]);

            Assert.Equal(0, exitCode);
            // What the server wrote is still there to read after it exited: each stream must end with its final chunk.
            foreach (var stream in streams)
                await Assert.ThrowsAsync<EndOfStreamException>(async () =>
                {
                    while (true)
                        await stream.NextAsync(Deadline());
                });
            AssertCleanConsole(output, port, dataDir);
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public async Task A_docker_socket_tyto_may_not_use_is_unavailable_and_says_why()
    {
        var directory = Directory.CreateTempSubdirectory("tyto-docker-denied-").FullName;
        var dataDir = Path.Combine(directory, "data");
        Directory.CreateDirectory(dataDir);
        var socket = Path.Combine(directory, "docker.sock");
        await using var engine = await FakeDockerEngine.StartAsync(socket);
        // As the docker group's socket is to anyone outside it: root may still use it, so then Tyto runs as nobody.
        var asNobody = Environment.UserName == "root";
        File.SetUnixFileMode(socket, asNobody ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.None);
        if (asNobody)
        {
            var everyone = (UnixFileMode)0b111_111_111;
            File.SetUnixFileMode(directory, everyone);
            File.SetUnixFileMode(dataDir, everyone);
        }
        var port = FreePort();

        await RunUntilSigtermAsync(dataDir, port, async _ =>
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var login = await client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = TytoHost.AdminPassword });
            var token = (await login.JsonAsync(HttpStatusCode.OK)).GetProperty("token").GetString();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                using var export = await client.GetAsync("/api/v1/export/metrics?format=json");
                if (export.StatusCode == HttpStatusCode.OK)
                {
                    var docker = (await export.JsonAsync(HttpStatusCode.OK)).GetProperty("docker");
                    if (docker.TryGetProperty("reason", out var reason))
                    {
                        Assert.False(docker.GetProperty("available").GetBoolean());
                        Assert.Equal($"Permission denied on {socket}: add the user Tyto runs as to the docker group", reason.GetString());
                        break;
                    }
                }
                Assert.True(DateTime.UtcNow < deadline, "no sample said why Docker is unavailable");
                await Task.Delay(200);
            }
        }, asNobody, $"--Tyto:Docker:Socket={socket}", $"--Tyto:Auth:AdminPassword={TytoHost.AdminPassword}");
        Assert.Empty(engine.Requests);
        TytoHost.DeleteDataDir(directory);
    }

    private static async Task<(string Output, int ExitCode)> RunUntilSigtermAsync(
        string dataDir, int port, Func<StringBuilder, Task> whileRunning, bool asNobody = false, params string[] settings)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(asNobody ? "setpriv" : dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        if (asNobody)
        {
            foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", dotnet })
                start.ArgumentList.Add(arg);
            start.Environment["HOME"] = dataDir;
        }
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Tyto.Host.dll"), "--urls", $"http://127.0.0.1:{port}", "--Tyto:Agents:Listen=https://127.0.0.1:0", $"--Tyto:DataDir={dataDir}" }.Concat(settings))
            start.ArgumentList.Add(arg);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForHealthAsync(port, process);
            await whileRunning(output);
            Assert.Equal(SignalOutcome.Sent, ProcessSignals.Send(process.Id, Sigterm));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        lock (output)
            return (output.ToString(), process.ExitCode);
    }

    private static async Task WaitForHealthAsync(int port, Process process)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "Tyto.Host exited during start");
            try
            {
                using var response = await client.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, "Tyto.Host did not answer /health within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>A clean start and stop print where Tyto serves and keeps its data, and no warning, error or stack trace.</summary>
    private static void AssertCleanConsole(string output, int port, string dataDir)
    {
        // An entry is a line and the indented lines under it (a log event's message, an exception's stack).
        var entries = Regex.Split(output, @"\n(?=\S)");
        var noisy = entries.Where(e => !e.Contains(StarvedScheduler, StringComparison.Ordinal) && Noise.Any(n => e.Contains(n, StringComparison.OrdinalIgnoreCase)));
        Assert.True(!noisy.Any(), $"A clean start and stop printed:\n{output}");
        Assert.Contains($"http://127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains(dataDir, output, StringComparison.Ordinal);
    }

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static string GeneratedPassword(string output)
    {
        var lines = output.Split('\n');
        var banner = Array.FindIndex(lines, l => l.Contains(PasswordBanner, StringComparison.Ordinal));
        return banner < 0 ? "" : lines[banner + 1].Trim();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
