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
    private readonly TytoOptions _options = new();

    public TestHistory(Action<TytoOptions.HistoryOptions>? configure = null, string provider = TytoDatabase.Sqlite)
    {
        _database = new TestDatabase(provider, "tyto-history-");
        configure?.Invoke(_options.History);
        Clock = new FakeTimeProvider(Start);
        Store = OtherNode();
    }

    public TytoDatabase Database => _database.Database;

    public FakeTimeProvider Clock { get; }

    public HistoryStore Store { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <summary>A store on the same database, as another node of a cluster has: it holds no bucket still filling.</summary>
    public HistoryStore OtherNode() => new(Database, Options.Create(_options), Clock);

    /// <summary>A raw point whose every series holds <paramref name="value"/> (scaled per series), with the given mounts.</summary>
    public static RawPoint Point(string agentId, DateTime at, double value, params (string Mount, double Used)[] mounts) => new(
        agentId,
        at,
        [.. Enumerable.Range(0, RawPoint.SeriesCount).Select(i => value * (i + 1))],
        mounts.ToDictionary(m => new LabelledSeries(LabelledSeries.Mount, m.Mount), m => m.Used));

    public void Dispose() => _database.Dispose();
}
