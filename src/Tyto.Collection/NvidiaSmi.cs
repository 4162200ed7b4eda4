using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Tyto.Collection;

/// <summary>
/// One long-running <c>nvidia-smi --query-gpu … -lms</c> child that prints a line per GPU on every loop; keeps the
/// newest line of each GPU. The child is started when first read, restarted with backoff when it dies or falls
/// silent (a driver stuck on a lost GPU), or when it is missing, so a driver installed later is picked up; it is
/// killed on <see cref="Dispose"/>.
/// </summary>
public sealed class NvidiaSmi(string executable, TimeSpan loop, TimeProvider time) : IDisposable
{
    /// <summary>The fields asked for, in the order <see cref="ParseLine"/> reads them.</summary>
    public const string Query = "index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw";



    private readonly Lock _gate = new();
    private readonly ChildRestarts _restarts = new(time);
    private readonly Dictionary<int, Reading> _latest = [];
    private Process? _child;
    private TimeSpan _loop = loop;
    private long _heardAt;
    private bool _disposed;

    /// <summary>Why no NVIDIA GPU is read, or null while the child reports some.</summary>
    public string? Problem { get; private set; }

    /// <summary>The GPUs the child reported within the last few loops, by index; starts the child when it is due.</summary>
    public IReadOnlyList<GpuSample> Read()
    {
        lock (_gate)
        {
            if (_disposed)
                return [];
            var oldest = time.GetTimestamp() - (long)(Staleness.TotalSeconds * time.TimestampFrequency);
            if (_child is not null && _heardAt < oldest)
            {
                Stop();
                Problem = $"{executable} printed nothing for {Staleness.TotalSeconds:0} s";
                _restarts.Wait();
            }
            if (_child is null && _restarts.Due)
                Start();
            // A GPU that falls off the bus stops getting lines (nvidia-smi prints an error instead): let it go.
            return _latest.Values.Where(r => r.At >= oldest).Select(r => r.Gpu).OrderBy(g => g.Index).ToList();
        }
    }

    /// <summary>Restarts the child with a loop that matches the new sampling interval.</summary>
    public void IntervalChanged(TimeSpan interval)
    {
        lock (_gate)
        {
            if (interval == _loop)
                return;
            _loop = interval;
            Stop();
            _restarts.StartNow();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Stop();
        }
    }

    /// <summary>
    /// One line of <see cref="Query"/> output (<c>--format=csv,noheader,nounits</c>), or null for anything else
    /// (error messages). Memory comes in MiB; <c>[N/A]</c> and <c>[Not Supported]</c> become null.
    /// </summary>
    public static GpuSample? ParseLine(string line)
    {
        var fields = line.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length < 7 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return null;
        // The name sits between the index and the five numbers; rejoin it in case it holds a comma.
        var name = string.Join(", ", fields[1..^5]);
        var numbers = fields[^5..];
        // "[N/A]" is one value the card lacks; a line of nothing but such texts ("[GPU is lost]") is a GPU that is gone.
        if (numbers.Any(n => Number(n) is null && !n.StartsWith('[')) || numbers.All(n => Number(n) is null))
            return null;
        return new GpuSample(
            index,
            name,
            "nvidia",
            Number(numbers[0]),
            Mebibytes(numbers[1]),
            Mebibytes(numbers[2]),
            Number(numbers[3]),
            Number(numbers[4]));
    }

    private TimeSpan Staleness => TimeSpan.FromTicks(Math.Max(_loop.Ticks * 3, TimeSpan.FromSeconds(5).Ticks));

    private void Start()
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                $"--query-gpu={Query}",
                "--format=csv,noheader,nounits",
                "-lms",
                ((long)_loop.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            },
        };
        try
        {
            _child = Process.Start(info) ?? throw new Win32Exception($"{executable} did not start");
        }
        catch (Win32Exception e)
        {
            Problem = $"{executable} cannot be run: {e.Message}";
            _restarts.Wait();
            return;
        }
        _restarts.Started();
        _heardAt = time.GetTimestamp();
        Problem = null;
        var child = _child;
        _ = Task.Run(() => FollowAsync(child));
    }

    /// <summary>Reads the child's lines until it exits, then clears its GPUs and schedules a restart.</summary>
    private async Task FollowAsync(Process child)
    {
        string? lastError = null;
        var errors = child.StandardError.ReadToEndAsync();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            var gpu = ParseLine(line);
            if (gpu is null && !string.IsNullOrWhiteSpace(line))
                lastError = line.Trim();
            // Lines a stopped child had already written must not come back after it was let go.
            lock (_gate)
            {
                if (!ReferenceEquals(child, _child))
                    continue;
                _heardAt = time.GetTimestamp();
                if (gpu is not null)
                    _latest[gpu.Index] = new Reading(gpu, _heardAt);
            }
        }
        var stderr = (await errors).Trim();
        await child.WaitForExitAsync();
        lock (_gate)
        {
            // A child stopped on purpose (interval change, shutdown) has already been replaced or let go.
            if (ReferenceEquals(child, _child))
            {
                _latest.Clear();
                var reason = stderr.Length > 0 ? stderr.Split('\n')[0] : lastError ?? "no output";
                Problem = $"{executable} exited with code {child.ExitCode}: {reason}";
                _child = null;
                _restarts.Exited();
            }
        }
        child.Dispose();
    }

    private void Stop()
    {
        if (_child is not { } child)
            return;
        try
        {
            child.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is AggregateException or Win32Exception or InvalidOperationException)
        {
            Problem = $"{executable} could not be stopped: {e.Message}";
        }
        _child = null;
        _latest.Clear();
    }

    private static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static long? Mebibytes(string field) => Number(field) is { } mib ? (long)(mib * 1024 * 1024) : null;

    private readonly record struct Reading(GpuSample Gpu, long At);
}
