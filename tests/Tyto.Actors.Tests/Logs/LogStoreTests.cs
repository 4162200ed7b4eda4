using LinqToDB;
using LinqToDB.Data;
using Tyto.Actors.Logs;
using Tyto.Actors.Persistence;
using Tyto.Collection.Logs;

namespace Tyto.Actors.Tests.Logs;

/// <summary>The log store's tests, run on each provider; what only one provider has is tested in its own class below.</summary>
public abstract class LogStoreTests(string provider) : IDisposable
{
    protected static readonly DateTime Start = TestLogs.Start;

    protected TestLogs Logs { get; } = new(provider: provider);

    protected LogStore Store => Logs.Store;

    public void Dispose()
    {
        Logs.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task An_entry_comes_back_as_written_with_a_stable_id_and_its_host()
    {
        var fields = new Dictionary<string, string> { ["pid"] = "1234", ["unit"] = "nginx.service" };
        await Store.WriteAsync([new LogBatch("web-1", "journal", [TestLogs.Entry(Start.AddMilliseconds(1234), "Connection refused", LogSeverity.Error, LogSourceKind.Journal, "nginx.service", fields)], "cursor-1", null)]);
        await Logs.WriteAsync("local", TestLogs.Entry(Start, "no fields"));

        var page = await Store.QueryAsync(new LogQuery());

        Assert.Equal(2, page.Total);
        var stored = page.Entries[0];
        Assert.Matches("^log-[0-9]+$", stored.Id);
        Assert.Equal("web-1", stored.AgentId);
        Assert.Equal(Start.AddMilliseconds(1234), stored.Entry.Timestamp);
        Assert.Equal(DateTimeKind.Utc, stored.Entry.Timestamp.Kind);
        Assert.Equal((LogSourceKind.Journal, "nginx.service", LogSeverity.Error, "Connection refused"), (stored.Entry.Source, stored.Entry.SourceName, stored.Entry.Level, stored.Entry.Message));
        Assert.Equal(fields, stored.Entry.Fields);
        Assert.Empty(page.Entries[1].Entry.Fields);
        Assert.Equal(stored.Id, (await Store.QueryAsync(new LogQuery { AgentId = "web-1" })).Entries[0].Id);
    }

    [Fact]
    public async Task Entries_come_newest_first_and_those_of_the_same_time_latest_written_first()
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start.AddSeconds(2), "b"), TestLogs.Entry(Start, "a"), TestLogs.Entry(Start.AddSeconds(2), "c"));
        await Logs.WriteAsync("web-1", TestLogs.Entry(Start.AddSeconds(1), "late"), TestLogs.Entry(Start.AddSeconds(2), "d"));

        Assert.Equal(["d", "c", "b", "late", "a"], (await Logs.MessagesAsync(new LogQuery())).Messages);
        Assert.Equal(["d", "c", "b"], (await Logs.MessagesAsync(new LogQuery { From = Start.AddSeconds(2), To = Start.AddSeconds(2) })).Messages);
    }

    [Fact]
    public async Task Times_before_1970_or_after_what_ids_hold_are_kept_as_they_are()
    {
        var before = new DateTime(1960, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var after = new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await Logs.WriteAsync("local", TestLogs.Entry(before, "before"), TestLogs.Entry(Start, "now"), TestLogs.Entry(after, "after"), TestLogs.Entry(before, "before again"));

        var page = await Store.QueryAsync(new LogQuery());

        Assert.Equal(["after", "now", "before again", "before"], page.Entries.Select(e => e.Entry.Message));
        Assert.Equal([after, Start, before, before], page.Entries.Select(e => e.Entry.Timestamp));
    }

    [Fact]
    public async Task Every_filter_and_their_combinations_keep_exactly_the_entries_that_match()
    {
        var words = new[] { "disk full on /var", "connection refused by peer", "started nginx", "Stopped unit" };
        var names = new Dictionary<LogSourceKind, string[]>
        {
            [LogSourceKind.Journal] = ["nginx.service", "sshd.service"],
            [LogSourceKind.File] = ["/var/log/app.log"],
            [LogSourceKind.Docker] = ["db", "cache"],
        };
        var rows = Enumerable.Range(0, 120).Select(i =>
        {
            var source = (LogSourceKind)(i % 3);
            var name = names[source][i / 3 % names[source].Length];
            return (Agent: i % 4 == 0 ? "web-1" : "local", Entry: TestLogs.Entry(Start.AddSeconds(i), $"m{i} {words[i / 2 % words.Length]}", (LogSeverity)(i % 8), source, name));
        }).ToList();
        foreach (var agent in rows.GroupBy(r => r.Agent))
            await Logs.WriteAsync(agent.Key, [.. agent.Select(r => r.Entry)]);

        var cases = new (string Name, LogQuery Query, Func<(string Agent, LogEntry Entry), bool> Keeps)[]
        {
            ("all", new LogQuery { Limit = 1000 }, _ => true),
            ("agent", new LogQuery { AgentId = "web-1" }, r => r.Agent == "web-1"),
            ("unknown agent", new LogQuery { AgentId = "nobody" }, _ => false),
            ("source", new LogQuery { Source = LogSourceKind.Docker }, r => r.Entry.Source == LogSourceKind.Docker),
            ("source name", new LogQuery { SourceName = "nginx.service" }, r => r.Entry.SourceName == "nginx.service"),
            ("one level", new LogQuery { Levels = new HashSet<LogSeverity> { LogSeverity.Error } }, r => r.Entry.Level == LogSeverity.Error),
            ("levels", new LogQuery { Levels = new HashSet<LogSeverity> { LogSeverity.Emerg, LogSeverity.Warning, LogSeverity.Debug } },
                r => r.Entry.Level is LogSeverity.Emerg or LogSeverity.Warning or LogSeverity.Debug),
            ("no level is every level", new LogQuery { Levels = new HashSet<LogSeverity>() }, _ => true),
            ("from", new LogQuery { From = Start.AddSeconds(100) }, r => r.Entry.Timestamp >= Start.AddSeconds(100)),
            ("to", new LogQuery { To = Start.AddSeconds(10) }, r => r.Entry.Timestamp <= Start.AddSeconds(10)),
            ("from and to", new LogQuery { From = Start.AddSeconds(10), To = Start.AddSeconds(20) },
                r => r.Entry.Timestamp >= Start.AddSeconds(10) && r.Entry.Timestamp <= Start.AddSeconds(20)),
            ("text", new LogQuery { Text = "refused" }, r => r.Entry.Message.Contains("refused")),
            ("agent and source", new LogQuery { AgentId = "local", Source = LogSourceKind.Journal },
                r => r.Agent == "local" && r.Entry.Source == LogSourceKind.Journal),
            ("agent, levels and time", new LogQuery { AgentId = "web-1", Levels = new HashSet<LogSeverity> { LogSeverity.Emerg, LogSeverity.Notice }, From = Start.AddSeconds(30) },
                r => r.Agent == "web-1" && r.Entry.Level is LogSeverity.Emerg or LogSeverity.Notice && r.Entry.Timestamp >= Start.AddSeconds(30)),
            ("text and agent", new LogQuery { Text = "nginx", AgentId = "local" }, r => r.Agent == "local" && r.Entry.Message.Contains("nginx")),
            ("text, source name and time", new LogQuery { Text = "disk full", SourceName = "db", To = Start.AddSeconds(90) },
                r => r.Entry.Message.Contains("disk full") && r.Entry.SourceName == "db" && r.Entry.Timestamp <= Start.AddSeconds(90)),
            ("everything", new LogQuery
            {
                AgentId = "local", Source = LogSourceKind.Journal, SourceName = "sshd.service", Levels = new HashSet<LogSeverity> { LogSeverity.Alert, LogSeverity.Notice, LogSeverity.Debug },
                Text = "stop*", From = Start.AddSeconds(5), To = Start.AddSeconds(115),
            }, r => r.Agent == "local" && r.Entry.SourceName == "sshd.service" && r.Entry.Level is LogSeverity.Alert or LogSeverity.Notice or LogSeverity.Debug &&
                    r.Entry.Message.Contains("Stopped") && r.Entry.Timestamp >= Start.AddSeconds(5) && r.Entry.Timestamp <= Start.AddSeconds(115)),
        };
        foreach (var (name, query, keeps) in cases)
        {
            var expected = rows.Where(keeps).OrderByDescending(r => r.Entry.Timestamp).Select(r => r.Entry.Message).ToList();
            var (messages, total) = await Logs.MessagesAsync(query);
            Assert.Equal((name, expected.Count, string.Join(", ", expected.Take(query.Limit))), (name, total, string.Join(", ", messages)));
        }
    }

    [Fact]
    public async Task Pages_hand_out_every_entry_once_with_the_exact_total_on_each()
    {
        var entries = Enumerable.Range(0, 25).Select(i => TestLogs.Entry(Start.AddSeconds(i / 3), $"line {i}")).ToArray();
        await Logs.WriteAsync("local", entries);

        var seen = new List<string>();
        for (var offset = 0; offset < 30; offset += 10)
        {
            var (messages, total) = await Logs.MessagesAsync(new LogQuery { Limit = 10, Offset = offset });
            Assert.Equal(25, total);
            Assert.Equal(Math.Min(10, 25 - offset), messages.Length);
            seen.AddRange(messages);
        }

        Assert.Equal(Enumerable.Range(0, 25).OrderByDescending(i => i / 3).ThenByDescending(i => i).Select(i => $"line {i}"), seen);
        var (beyond, all) = await Logs.MessagesAsync(new LogQuery { Offset = 100 });
        Assert.Empty(beyond);
        Assert.Equal(25, all);
    }

    [Theory]
    [InlineData("connection", new[] { "Connection refused by peer", "connection reset" })]
    [InlineData("refused peer", new[] { "Connection refused by peer" })]
    [InlineData("\"refused by\"", new[] { "Connection refused by peer" })]
    [InlineData("\"by refused\"", new string[0])]
    [InlineData("conn*", new[] { "Connection refused by peer", "connection reset" })]
    [InlineData("\"connection re\"*", new[] { "Connection refused by peer", "connection reset" })]
    [InlineData("re* peer", new[] { "Connection refused by peer" })]
    [InlineData("CAFE", new[] { "café au lait" })]
    [InlineData("  café   lait ", new[] { "café au lait" })]
    [InlineData("10.0.0.1", new[] { "from 10.0.0.1 port 22" })]
    [InlineData("nothing", new string[0])]
    public async Task Full_text_finds_words_phrases_and_prefixes(string text, string[] expected)
    {
        await Logs.WriteAsync("local",
            TestLogs.Entry(Start, "Connection refused by peer"), TestLogs.Entry(Start.AddSeconds(1), "connection reset"),
            TestLogs.Entry(Start.AddSeconds(2), "café au lait"), TestLogs.Entry(Start.AddSeconds(3), "from 10.0.0.1 port 22"),
            TestLogs.Entry(Start.AddSeconds(4), "disk full"));

        var (messages, total) = await Logs.MessagesAsync(new LogQuery { Text = text });

        Assert.Equal(expected.Order(), messages.Order());
        Assert.Equal(expected.Length, total);
    }

    [Theory]
    [InlineData("NEAR(", "NEAR(a b) operator")]
    [InlineData("NEAR(a b)", "NEAR(a b) operator")]
    [InlineData("message:x", "message: x")]
    [InlineData("fields:x", "fields x")]
    [InlineData("-x", "the x is hyphenated")]
    [InlineData("AND", "this AND that")]
    [InlineData("a AND", "a AND b")]
    [InlineData("OR NOT", "OR NOT")]
    [InlineData("^start", "start of it")]
    [InlineData("{message}: y", "message y")]
    [InlineData("x + y", "x y")]
    [InlineData("日本語", "ログ 日本語 テキスト")]
    [InlineData("Ünïcödé", "unicode")]
    [InlineData("emoji 🙂", "an emoji")]
    [InlineData("'quoted'", "it's quoted")]
    public async Task Operators_and_column_filters_in_the_text_are_searched_as_words(string text, string message)
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start, message), TestLogs.Entry(Start, "something else entirely"));

        var (messages, total) = await Logs.MessagesAsync(new LogQuery { Text = text });

        Assert.Equal([message], messages);
        Assert.Equal(1, total);
    }

    [Theory]
    [InlineData("\"", "never closed")]
    [InlineData("error \"connection refused", "never closed")]
    [InlineData("*", "a * must follow")]
    [InlineData("error *", "a * must follow")]
    [InlineData("*error", "a * may only end a word")]
    [InlineData("err*or", "a * may only end a word")]
    [InlineData("error**", "a * may only end a word")]
    [InlineData("\"\"", "holds no word")]
    [InlineData("\"  -- \"", "holds no word")]
    [InlineData("- ( )", "holds no word")]
    public async Task Malformed_text_is_refused_saying_why(string text, string why)
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start, "error \"connection refused\""));

        var refused = await Assert.ThrowsAsync<LogQueryException>(() => Store.QueryAsync(new LogQuery { Text = text }));

        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Empty_text_filters_nothing(string text)
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start, "one"), TestLogs.Entry(Start, "two"));

        Assert.Equal(2, (await Logs.MessagesAsync(new LogQuery { Text = text })).Total);
    }

    [Fact]
    public async Task A_batch_written_again_is_stored_once()
    {
        var first = new LogBatch("web-1", "file", [TestLogs.Entry(Start, "one"), TestLogs.Entry(Start, "two")], "{\"at\":2}", 7);
        var second = new LogBatch("web-1", "file", [TestLogs.Entry(Start, "three")], "{\"at\":3}", 8);

        var stored = await Store.WriteAsync([first, second, first]);
        Assert.Equal(["one", "two", "three"], stored.Select(s => s.Entry.Message));
        Assert.Equal((await Store.QueryAsync(new LogQuery())).Entries.Select(e => e.Id).Reverse(), stored.Select(s => s.Id));
        Assert.Empty(await Store.WriteAsync([first]));
        Assert.Equal("{\"at\":3}", await Store.PositionAsync("web-1", "file"));
        // Another agent's batch of the same number, and batches without one, are not the same batch.
        Assert.Single(await Store.WriteAsync([first with { AgentId = "web-2", Entries = [TestLogs.Entry(Start, "four")] }]));
        Assert.Equal(2, (await Store.WriteAsync([first with { Seq = null }])).Count);

        Assert.Equal(6, (await Store.QueryAsync(new LogQuery())).Total);
    }

    [Fact]
    public async Task Positions_come_back_per_host_and_source_the_last_written_winning()
    {
        Assert.Null(await Store.PositionAsync("local", "journal"));

        await Store.WriteAsync(
        [
            new LogBatch("local", "journal", [TestLogs.Entry(Start, "a")], "s=1", null),
            new LogBatch("local", "file", [], "{\"/var/log/a.log\":1}", null),
            new LogBatch("local", "journal", [TestLogs.Entry(Start, "b")], "s=2", null),
        ]);
        await Store.WriteAsync([new LogBatch("web-1", "journal", [TestLogs.Entry(Start, "c")], "w=1", null)]);
        await Store.WriteAsync([new LogBatch("local", "journal", [TestLogs.Entry(Start, "d")], null, null)]);

        Assert.Equal("s=2", await Store.PositionAsync("local", "journal"));
        Assert.Equal("{\"/var/log/a.log\":1}", await Store.PositionAsync("local", "file"));
        Assert.Equal("w=1", await Store.PositionAsync("web-1", "journal"));
        Assert.Null(await Store.PositionAsync("web-1", "file"));
    }

    [Fact]
    public async Task A_restarted_server_keeps_entries_positions_batches_and_the_size_it_counted()
    {
        using var logs = new TestLogs(o => o.MaxMb = 1, provider);
        var batch = new LogBatch("web-1", "file", [TestLogs.Entry(Start, "before " + new string('x', 600 * 1024))], "{\"at\":1}", 1);
        await logs.Store.WriteAsync([batch]);

        logs.Database.EnsureCreated();
        var restarted = new LogStore(logs.Database, Microsoft.Extensions.Options.Options.Create(new TytoOptions { Logs = { MaxMb = 1 } }), logs.Clock);
        Assert.Empty(await restarted.WriteAsync([batch]));
        await restarted.WriteAsync([new LogBatch("local", "file", [TestLogs.Entry(Start.AddSeconds(1), "after " + new string('y', 600 * 1024))], null, null)]);
        await restarted.PruneAsync();

        Assert.Equal("{\"at\":1}", await restarted.PositionAsync("web-1", "file"));
        Assert.Equal("local", Assert.Single((await restarted.QueryAsync(new LogQuery())).Entries).AgentId);
    }

    [Fact]
    public async Task A_write_that_fails_stores_neither_entries_nor_positions()
    {
        await Store.WriteAsync([new LogBatch("local", "journal", [TestLogs.Entry(Start, "kept")], "s=1", null)]);

        // The second batch names no source: the database refuses its position after it took both batches' entries.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.WriteAsync(
        [
            new LogBatch("local", "journal", [TestLogs.Entry(Start, "lost")], "s=2", 3),
            new LogBatch("local", null!, [TestLogs.Entry(Start, "refused")], "f=1", null),
        ]));

        Assert.Equal(["kept"], (await Logs.MessagesAsync(new LogQuery())).Messages);
        Assert.Equal(0, (await Logs.MessagesAsync(new LogQuery { Text = "lost" })).Total);
        Assert.Equal("s=1", await Store.PositionAsync("local", "journal"));
        Assert.Single(await Store.WriteAsync([new LogBatch("local", "journal", [TestLogs.Entry(Start, "again")], "s=2", 3)]));
    }

    [Fact]
    public async Task Pruning_deletes_what_is_past_the_retention_in_small_statements_and_the_index_with_it()
    {
        var old = Enumerable.Range(0, 2 * LogStore.PruneBatch + 10).Select(i => TestLogs.Entry(Start.AddDays(-8).AddMilliseconds(i), $"old word{i % 3}"));
        await Logs.WriteAsync("local", [.. old]);
        await Logs.WriteAsync("web-1", TestLogs.Entry(Start.AddDays(-6), "recent word1"), TestLogs.Entry(Start, "now word2"));

        Assert.Equal(2 * LogStore.PruneBatch + 10, await Store.PruneAsync());

        Assert.Equal(["now word2", "recent word1"], (await Logs.MessagesAsync(new LogQuery())).Messages);
        var (word1, total) = await Logs.MessagesAsync(new LogQuery { Text = "word1" });
        Assert.Equal(["recent word1"], word1);
        Assert.Equal(1, total);
        Assert.Equal(0, (await Logs.MessagesAsync(new LogQuery { Text = "old" })).Total);
        Assert.Equal(0, await Store.PruneAsync());
    }

    [Fact]
    public async Task Pruning_deletes_the_oldest_while_the_logs_take_more_than_their_size()
    {
        using var logs = new TestLogs(o => o.MaxMb = 1, provider);
        // 3 MiB of messages (and fields), older ones first, all within the retention.
        var message = new string('x', 1000);
        var fields = new Dictionary<string, string> { ["pid"] = "1" };
        for (var batch = 0; batch < 3; batch++)
        {
            await logs.WriteAsync("local", [.. Enumerable.Range(0, 1024).Select(i =>
                TestLogs.Entry(Start.AddHours(-3 + batch).AddSeconds(i), $"batch{batch} {message}", fields: fields))]);
        }

        var deleted = await logs.Store.PruneAsync();

        // 1,018 bytes an entry: 1,030 of them fit in 1 MiB, the newest; the index forgets the others too.
        Assert.Equal(3 * 1024 - 1030, deleted);
        Assert.Equal(1030, (await logs.Store.QueryAsync(new LogQuery())).Total);
        Assert.Equal(0, (await logs.Store.QueryAsync(new LogQuery { Text = "batch0" })).Total);
        Assert.Equal(6, (await logs.Store.QueryAsync(new LogQuery { Text = "batch1" })).Total);
        Assert.Equal(1024, (await logs.Store.QueryAsync(new LogQuery { Text = "batch2" })).Total);
        Assert.Equal(0, await logs.Store.PruneAsync());
    }

    [Fact]
    public async Task A_batch_number_is_forgotten_once_entries_as_old_are_pruned()
    {
        var batch = new LogBatch("web-1", "file", [TestLogs.Entry(Start, "one")], null, 1);
        await Store.WriteAsync([batch]);

        Logs.Clock.Advance(TimeSpan.FromDays(8));
        await Store.PruneAsync();

        Assert.Single(await Store.WriteAsync([batch with { Entries = [TestLogs.Entry(Logs.Now, "again")] }]));
    }
}

/// <summary>The SQLite index: an older database's trigger, and query plans that read no more than a page.</summary>
public sealed class LogStoreTestsOnSqlite() : LogStoreTests(TytoDatabase.Sqlite)
{
    [Fact]
    public async Task A_database_of_the_version_that_indexed_each_line_by_trigger_indexes_each_line_once()
    {
        using (var db = Logs.Database.Open())
        {
            db.Execute("DROP TRIGGER logs_counted");
            db.Execute("""
                CREATE TRIGGER logs_inserted AFTER INSERT ON logs BEGIN
                    INSERT INTO logs_fts (rowid, message) VALUES (new.id, new.message);
                    UPDATE log_usage SET bytes = bytes + octet_length(new.message) + coalesce(octet_length(new.fields), 0);
                END
                """);
        }

        Logs.Database.EnsureCreated();
        await Logs.WriteAsync("local", TestLogs.Entry(Start, "indexed once"));

        Assert.Equal(1, (await Store.QueryAsync(new LogQuery { Text = "indexed" })).Total);
        using var check = Logs.Database.Open();
        Assert.Equal(1, check.Execute<long>("SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'indexed'"));
        Assert.Equal("indexed once".Length, check.Execute<long>(LogIndex.UsageSql));
    }

    [Theory]
    [InlineData("no filter", "SCAN l")]
    [InlineData("agent", "SEARCH l USING INDEX ix_logs_agent_id (agent_id=?)")]
    [InlineData("agent and level", "SEARCH l USING INDEX ix_logs_agent_id (agent_id=?)")]
    [InlineData("time", "SEARCH l USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")]
    [InlineData("agent and time", "SEARCH l USING INDEX ix_logs_agent_id (agent_id=? AND rowid>? AND rowid<?)")]
    public async Task Pages_read_the_ids_or_a_host_index_newest_first_without_sorting(string filter, string step)
    {
        var query = filter switch
        {
            "agent" => new LogQuery { AgentId = "web-1" },
            "agent and level" => new LogQuery { AgentId = "web-1", Levels = new HashSet<LogSeverity> { LogSeverity.Error } },
            "time" => new LogQuery { From = Start, To = Start.AddHours(1) },
            "agent and time" => new LogQuery { AgentId = "web-1", From = Start, To = Start.AddHours(1) },
            _ => new LogQuery(),
        };

        var plan = await PlanAsync(LogStore.Sql(query, Logs.Database.LogIndex).Page, query);

        Assert.Equal([step], plan);
    }

    [Fact]
    public async Task Full_text_reads_the_index_newest_first_and_counts_from_it_alone()
    {
        var query = new LogQuery { Text = "refused", From = Start };
        var (page, count, _) = LogStore.Sql(query, Logs.Database.LogIndex);
        var filtered = query with { Levels = new HashSet<LogSeverity> { LogSeverity.Error } };

        var pagePlan = await PlanAsync(page, query);
        var countPlan = await PlanAsync(count, query);
        var filteredCountPlan = await PlanAsync(LogStore.Sql(filtered, Logs.Database.LogIndex).Count, filtered);

        // The index hands matches out newest first (no sort), each entry is read by its id, and a page stops when full.
        Assert.Equal(2, pagePlan.Count);
        Assert.StartsWith("SCAN logs_fts VIRTUAL TABLE INDEX", pagePlan[0], StringComparison.Ordinal);
        Assert.Equal("SEARCH l USING INTEGER PRIMARY KEY (rowid=?)", pagePlan[1]);
        Assert.StartsWith("SCAN logs_fts VIRTUAL TABLE INDEX", Assert.Single(countPlan), StringComparison.Ordinal);
        Assert.Equal("SEARCH l USING INTEGER PRIMARY KEY (rowid=?)", filteredCountPlan[1]);
    }

    private async Task<IReadOnlyList<string>> PlanAsync(string sql, LogQuery query)
    {
        await using var db = Logs.Database.Open();
        var plan = await db.QueryToListAsync<string>(reader => reader.GetString(3), "EXPLAIN QUERY PLAN " + sql, LogStore.Sql(query, Logs.Database.LogIndex).Parameters);
        return plan;
    }
}

/// <summary>The PostgreSQL index: tsquery's own operators typed as text are words, and several nodes write at once.</summary>
public sealed class LogStoreTestsOnPostgres() : LogStoreTests(TytoDatabase.Postgres)
{
    [Theory]
    [InlineData("!down", "not down")]
    [InlineData("up | down", "up and down")]
    [InlineData("up & down", "up and down")]
    [InlineData("x <-> y", "x then y")]
    [InlineData("word:*", "word: star")]
    [InlineData("weight:A", "weight A")]
    [InlineData("back\\slash", "back slash")]
    [InlineData("(grouped)", "grouped")]
    [InlineData("it''s", "it's")]
    public async Task Tsquery_operators_in_the_text_are_searched_as_words(string text, string message)
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start, message), TestLogs.Entry(Start, "something else entirely"));

        var (messages, total) = await Logs.MessagesAsync(new LogQuery { Text = text });

        Assert.Equal([message], messages);
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task Paths_hosts_and_hyphenated_words_are_split_into_words_as_on_SQLite()
    {
        await Logs.WriteAsync("local", TestLogs.Entry(Start, "open /var/log/app-1.log on db-2.example.com failed"));

        foreach (var text in new[] { "var", "log", "app", "1", "example", "\"db 2\"", "\"app 1 log\"", "fail*" })
            Assert.Equal(1, (await Store.QueryAsync(new LogQuery { Text = text })).Total);
        Assert.Equal(0, (await Store.QueryAsync(new LogQuery { Text = "\"app log\"" })).Total);
    }

    [Fact]
    public async Task Stores_of_several_nodes_writing_the_same_millisecond_at_once_give_every_entry_its_own_id()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => new LogStore(Logs.Database, Microsoft.Extensions.Options.Options.Create(new TytoOptions()), Logs.Clock)).ToList();

        var written = await Task.WhenAll(nodes.Select((node, i) => Task.Run(() =>
            node.WriteAsync([new LogBatch($"agent-{i}", "file", [.. Enumerable.Range(0, 50).Select(n => TestLogs.Entry(Start, $"line {n}"))], null, null)]))));

        var ids = written.SelectMany(entries => entries.Select(e => e.Id)).ToList();
        Assert.Equal(200, ids.Distinct().Count());
        Assert.Equal(200, (await Store.QueryAsync(new LogQuery())).Total);
    }
}
