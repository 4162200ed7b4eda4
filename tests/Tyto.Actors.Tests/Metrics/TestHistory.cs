using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Metrics;

/// <summary>A history store on a SQLite file of its own, created as the server creates it, with a clock the test moves.</summary>
public sealed class TestHistory : IDisposable
{
    public static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public TestHistory(Action<TytoOptions.HistoryOptions>? configure = null)
    {
        Database = new TytoDatabase(Directory.CreateTempSubdirectory("tyto-history-").FullName);
        Database.EnsureCreated();
        var options = new TytoOptions();
        configure?.Invoke(options.History);
        Clock = new FakeTimeProvider(Start);
        Store = new HistoryStore(Database, Options.Create(options), Clock);
    }

    public TytoDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public HistoryStore Store { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <summary>A raw point whose every series holds <paramref name="value"/> (scaled per series), with the given mounts.</summary>
    public static RawPoint Point(string agentId, DateTime at, double value, params (string Mount, double Used)[] mounts) => new(
        agentId,
        at,
        [.. Enumerable.Range(0, RawPoint.SeriesCount).Select(i => value * (i + 1))],
        mounts.ToDictionary(m => new LabelledSeries(LabelledSeries.Mount, m.Mount), m => m.Used));

    public void Dispose() => Directory.Delete(Database.DataDirectory, recursive: true);
}
