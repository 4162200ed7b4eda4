using Tyto.Actors.Logs;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>The live stream's filter keeps exactly the entries the store's search finds, full text included.</summary>
public sealed class LogFilterTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTime Start = TestLogs.Start;

    private static readonly string[] Messages =
    [
        "Connection refused by upstream 10.0.0.7:443",
        "connection reset; retrying",
        "Café ouvert: Ångström units",
        "cafe closed",
        "disk quota exceeded for tenant 42",
        "quota-check passed (tenant=42)",
        "user.login failed for ALICE",
        "upstream timed out while reading response header",
        "timed upstream out",
        "東京 server started",
        "emoji 🎉 party started",
        "",
    ];

    private readonly TestLogs _logs = new();
    private IReadOnlyList<StoredLogEntry> _stored = [];

    public async Task InitializeAsync()
    {
        var entries = Messages.Select((message, i) => TestLogs.Entry(
            Start.AddSeconds(i).AddTicks(1234), message, (LogSeverity)(i % 8), (LogSourceKind)(i % 3), $"unit-{i % 4}")).ToArray();
        _stored = [.. await _logs.WriteAsync("local", entries[..6]), .. await _logs.WriteAsync("web-1", entries[6..])];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _logs.Dispose();

    public static TheoryData<string> Texts() =>
    [
        "connection", "CONNECTION", "connect*", "cafe", "café", "angstrom", "ångström*", "\"timed out\"", "\"upstream timed\"",
        "\"upstream t\"*", "upstream out", "10.0.0.7", "\"0 7\"", "tenant 42", "quota-check", "user.login", "alice", "東京",
        "started", "party", "\"reset retrying\"", "nothing-like-this", "u*", "42*",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public Task Full_text_keeps_what_the_search_finds(string text) => AgreeAsync(new LogQuery { Text = text });

    public static TheoryData<string> Filters() =>
        ["agent", "source", "source_name", "levels", "from", "to", "from and text", "everything"];

    [Theory]
    [MemberData(nameof(Filters))]
    public Task Every_other_filter_keeps_what_the_search_finds(string filter) => AgreeAsync(filter switch
    {
        "agent" => new LogQuery { AgentId = "web-1" },
        "source" => new LogQuery { Source = LogSourceKind.Docker },
        "source_name" => new LogQuery { SourceName = "unit-2" },
        "levels" => new LogQuery { Levels = new HashSet<LogSeverity> { LogSeverity.Error, LogSeverity.Debug } },
        // Times count to the millisecond, so the entry 3 s after the start (and 1234 ticks) is both from and to it.
        "from" => new LogQuery { From = Start.AddSeconds(3) },
        "to" => new LogQuery { To = Start.AddSeconds(3) },
        "from and text" => new LogQuery { From = Start.AddSeconds(5), Text = "started" },
        _ => new LogQuery { AgentId = "local", Source = LogSourceKind.File, Levels = new HashSet<LogSeverity> { LogSeverity.Crit }, Text = "cafe" },
    });

    private async Task AgreeAsync(LogQuery query)
    {
        var searched = (await _logs.Store.QueryAsync(query with { Limit = LogQuery.MaxLimit })).Entries.Select(e => e.Id).Order();
        var filter = new LogFilter(query);

        Assert.Equal(searched, _stored.Where(filter.Matches).Select(e => e.Id).Order());
    }
}
