using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Metrics;

/// <summary>A history store on a database of its own (SQLite unless told), created as the server creates it, with a clock the test moves.</summary>
public sealed class TestHistory : IDisposable
{
    public static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TestDatabase _database;

    public TestHistory(Action<TytoOptions.HistoryOptions>? configure = null, string provider = TytoDatabase.Sqlite)
    {
        _database = new TestDatabase(provider, "tyto-history-");
        var options = new TytoOptions();
        configure?.Invoke(options.History);
        Clock = new FakeTimeProvider(Start);
        Store = new HistoryStore(Database, Options.Create(options), Clock);
    }

    public TytoDatabase Database => _database.Database;

    public FakeTimeProvider Clock { get; }

    public HistoryStore Store { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <summary>A raw point whose every series holds <paramref name="value"/> (scaled per series), with the given mounts.</summary>
    public static RawPoint Point(string agentId, DateTime at, double value, params (string Mount, double Used)[] mounts) => new(
        agentId,
        at,
        [.. Enumerable.Range(0, RawPoint.SeriesCount).Select(i => value * (i + 1))],
        mounts.ToDictionary(m => new LabelledSeries(LabelledSeries.Mount, m.Mount), m => m.Used));

    public void Dispose() => _database.Dispose();
}
