using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tyto.Actors.Collection;

namespace Tyto.Api.Tests;

/// <summary>Tyto.Host as an operator runs it: a separate process, stopped with SIGTERM.</summary>
public sealed class ProcessLifecycleTests
{
    private const int Sigterm = 15;
    private const string PasswordBanner = "Tyto created the user 'admin' with the password:";

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

        var (secondOutput, secondExit) = await RunUntilSigtermAsync(dataDir, port, async _ =>
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var login = await client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = GeneratedPassword(firstOutput) });
            await login.JsonAsync(HttpStatusCode.OK);
        });
        Assert.Equal(0, secondExit);
        Assert.DoesNotContain(PasswordBanner, secondOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratedPassword(firstOutput), secondOutput, StringComparison.Ordinal);
        TytoHost.DeleteDataDir(dataDir);
    }

    private static async Task<(string Output, int ExitCode)> RunUntilSigtermAsync(string dataDir, int port, Func<StringBuilder, Task> whileRunning)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Tyto.Host.dll"), "--urls", $"http://127.0.0.1:{port}", $"--Tyto:DataDir={dataDir}" })
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
