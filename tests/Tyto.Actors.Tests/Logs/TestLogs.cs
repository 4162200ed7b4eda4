using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Logs;
using Tyto.Actors.Persistence;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>A log store on a database of its own (SQLite unless told), created as the server creates it, with a clock the test moves.</summary>
public sealed class TestLogs : IDisposable
{
    public static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TestDatabase _database;

    public TestLogs(Action<TytoOptions.LogsOptions>? configure = null, string provider = TytoDatabase.Sqlite)
    {
        _database = new TestDatabase(provider, "tyto-logs-");
        var options = new TytoOptions();
        configure?.Invoke(options.Logs);
        Clock = new FakeTimeProvider(Start);
        Store = new LogStore(Database, Options.Create(options), Clock);
    }

    public TytoDatabase Database => _database.Database;

    public FakeTimeProvider Clock { get; }

    public LogStore Store { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static LogEntry Entry(
        DateTime at, string message, LogSeverity level = LogSeverity.Info, LogSourceKind source = LogSourceKind.File,
        string sourceName = "/var/log/app.log", IReadOnlyDictionary<string, string>? fields = null) =>
        new(at, source, sourceName, level, message, fields ?? new Dictionary<string, string>());

    /// <summary>Writes <paramref name="entries"/> as one batch of <paramref name="agentId"/>'s file source.</summary>
    public Task<IReadOnlyList<StoredLogEntry>> WriteAsync(string agentId, params LogEntry[] entries) =>
        Store.WriteAsync([new LogBatch(agentId, "file", entries, null, null)]);

    /// <summary>The messages of a query's page, newest first, and its total.</summary>
    public async Task<(string[] Messages, int Total)> MessagesAsync(LogQuery query)
    {
        var page = await Store.QueryAsync(query);
        return ([.. page.Entries.Select(e => e.Entry.Message)], page.Total);
    }

    public void Dispose() => _database.Dispose();
}
