using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tyto.Actors.Tests;
using Tyto.Collection;

namespace Tyto.Agent.Tests;

/// <summary>Tyto.Host as an operator runs it, server or agent: a separate process whose console is kept; killed on dispose if still running.</summary>
public sealed class TytoProcess : IAsyncDisposable
{
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TytoProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts Tyto.Host with <paramref name="args"/> in <paramref name="workingDirectory"/>; <paramref name="stdin"/>, if any, is written to it and closed.</summary>
    public static async Task<TytoProcess> StartAsync(string workingDirectory, IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tyto.Host.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var tyto = new TytoProcess(process);
        process.OutputDataReceived += (_, e) => tyto.Append(e.Data);
        process.ErrorDataReceived += (_, e) => tyto.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        return tyto;
    }

    /// <summary>Waits until the console shows <paramref name="text"/>; fails with the console so far when it does not, or when the process exits.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        await Poll.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal) || HasExited, $"Tyto.Host printed '{text}'", timeout ?? TimeSpan.FromSeconds(60));
        if (!Output.Contains(text, StringComparison.Ordinal))
            Assert.Fail($"Tyto.Host exited ({ExitCode}) before printing '{text}':\n{Output}");
    }

    /// <summary>Sends SIGTERM and waits for the exit; the exit status.</summary>
    public async Task<int> StopAsync()
    {
        Assert.Equal(SignalOutcome.Sent, ProcessSignals.Send(_process.Id, Sigterm));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process as <c>kill -9</c> does: no chance to clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>The managed assemblies the process has loaded: the .dll files mapped into its memory.</summary>
    public IReadOnlySet<string> LoadedAssemblies() =>
        File.ReadAllLines($"/proc/{_process.Id}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].EndsWith(".dll", StringComparison.Ordinal))
            .Select(fields => Path.GetFileName(fields[5]))
            .ToHashSet();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
            _output.AppendLine(line);
    }
}
