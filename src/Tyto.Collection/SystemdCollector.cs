using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Tyto.Collection;

/// <summary>
/// The host's services from <c>systemctl list-units --type=service --all --output=json</c>, run at most once per
/// <c>refresh</c>; between runs each round gets the last list. Where systemd is not the init system (no
/// <c>/run/systemd/system</c>, as <c>sd_booted</c> checks) the section is unavailable, until it is.
/// </summary>
public sealed class SystemdCollector(HostRoot root, string systemctl, TimeSpan refresh, TimeProvider time) : ICollector
{
    /// <summary>The longest one systemctl run may take before it is killed.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    private SystemdSection? _last;
    private DateTimeOffset _listedAt;

    public string Name => "systemd";

    public async ValueTask<ISampleSection> CollectAsync(DateTime at, CancellationToken cancellationToken)
    {
        if (!root.Exists("run/systemd/system"))
            return _last = new SystemdSection(false, null, "systemd is not the init system of this host");
        // A failed run is kept as long as a list: a host whose systemctl cannot reach systemd is not asked every round.
        if (_last is not null && time.GetUtcNow() - _listedAt < refresh)
            return _last;
        _last = await ListAsync(cancellationToken);
        _listedAt = time.GetUtcNow();
        return _last;
    }

    public ISampleSection? Failed(Exception failure) => new SystemdSection(false, null, $"Reading the services failed: {failure.Message}");

    /// <summary>The services in systemctl's JSON list, skipping units that are only referenced (load state <c>not-found</c>).</summary>
    public static IReadOnlyList<ServiceSample> ParseUnits(string json)
    {
        var units = JsonSerializer.Deserialize<List<ListedUnit>>(json, JsonSerializerOptions.Web) ?? [];
        return units
            .Where(u => u.Unit.EndsWith(".service", StringComparison.Ordinal) && u.Load != "not-found")
            .Select(u => new ServiceSample(u.Unit, u.Active, u.Sub, u.Description))
            .ToList();
    }

    private async Task<SystemdSection> ListAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(systemctl)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "list-units", "--type=service", "--all", "--output=json", "--no-pager" },
        };
        Process child;
        try
        {
            child = Process.Start(info) ?? throw new Win32Exception($"{systemctl} did not start");
        }
        catch (Win32Exception e)
        {
            return new SystemdSection(false, null, $"{systemctl} cannot be run: {e.Message}");
        }
        using (child)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(RunTimeout);
            try
            {
                var output = child.StandardOutput.ReadToEndAsync(deadline.Token);
                var errors = child.StandardError.ReadToEndAsync(deadline.Token);
                await child.WaitForExitAsync(deadline.Token);
                if (child.ExitCode != 0)
                    return new SystemdSection(false, null, $"{systemctl} exited with code {child.ExitCode}: {(await errors).Trim()}");
                return new SystemdSection(true, ParseUnits(await output));
            }
            catch (OperationCanceledException)
            {
                try
                {
                    child.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is AggregateException or Win32Exception or InvalidOperationException)
                {
                    return new SystemdSection(false, null, $"{systemctl} hung and could not be stopped: {e.Message}");
                }
                if (cancellationToken.IsCancellationRequested)
                    throw;
                return new SystemdSection(false, null, $"{systemctl} did not answer within {RunTimeout.TotalSeconds:0} s");
            }
            catch (JsonException e)
            {
                return new SystemdSection(false, null, $"{systemctl} printed a unit list Tyto cannot read: {e.Message}");
            }
        }
    }

    private sealed record ListedUnit(string Unit, string Load, string Active, string Sub, string Description);
}
