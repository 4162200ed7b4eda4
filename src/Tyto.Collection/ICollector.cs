
namespace Tyto.Collection;

/// <summary>Reads one part of a host's state; keeps whatever counters it needs to turn totals into rates.</summary>
public interface ICollector
{
    /// <summary>Short name used for the collector's actor, such as <c>cpu</c>.</summary>
    string Name { get; }

    /// <summary>Reads the host for the round at <paramref name="at"/>; a source behind a socket answers later.</summary>
    ValueTask<ISampleSection> CollectAsync(DateTime at, CancellationToken cancellationToken);

    /// <summary>
    /// The section a reading that failed unexpectedly reports, or null to keep the last one (a file reader skips a
    /// round whose kernel file it could not parse).
    /// </summary>
    ISampleSection? Failed(Exception failure) => null;

    /// <summary>Tells the collector how often it is now asked, for sources that produce readings on their own clock.</summary>
    void IntervalChanged(TimeSpan interval)
    {
    }
}

/// <summary>A collector that reads files and answers at once, on the collectors' own dispatcher.</summary>
public interface ISynchronousCollector : ICollector
{
    /// <summary>Reads the host now; <paramref name="at"/> is the tick time rates are computed against.</summary>
    ISampleSection Collect(DateTime at);

    ValueTask<ISampleSection> ICollector.CollectAsync(DateTime at, CancellationToken cancellationToken) => ValueTask.FromResult(Collect(at));
}

/// <summary>Per-second rate of a monotonically growing counter; a counter that went backwards (reset, wrap) counts as zero.</summary>
public static class Rates
{
    public static double PerSecond(long previous, long current, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero || current < previous ? 0 : Math.Round((current - previous) / elapsed.TotalSeconds, 1);
}
