using LinqToDB.Data;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Persistence;

public sealed class TytoDatabaseTests
{
    [Fact]
    public async Task Nodes_starting_at_once_on_a_fresh_PostgreSQL_database_create_the_schema_once_and_all_start()
    {
        using var postgres = PostgresServer.CreateDatabase();
        var nodes = Enumerable.Range(0, 6)
            .Select(i => new TytoDatabase(
                Directory.CreateTempSubdirectory("tyto-node-").FullName,
                new TytoOptions.DatabaseOptions { Provider = TytoDatabase.Postgres, ConnectionString = postgres.ConnectionString }))
            .ToList();
        try
        {
            using var ready = new Barrier(nodes.Count);
            await Task.WhenAll(nodes.Select(node => Task.Factory.StartNew(
                () =>
                {
                    ready.SignalAndWait();
                    node.EnsureCreated();
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            await using var db = nodes[0].Open();
            var tables = db.Query<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").ToHashSet();
            Assert.Superset(new HashSet<string> { "journal", "tags", "snapshot", "users", "audit_log", "history_raw", "logs", "log_usage" }, tables);
            Assert.Equal(1L, await db.ExecuteAsync<long>("SELECT count(*) FROM log_usage"));
        }
        finally
        {
            foreach (var node in nodes)
                Directory.Delete(node.DataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task On_PostgreSQL_only_the_history_and_log_writers_commit_without_waiting_for_the_disk()
    {
        using var test = new TestDatabase(TytoDatabase.Postgres);

        await using var writer = await test.Database.OpenHistoryWriterAsync(CancellationToken.None);
        await using var other = test.Database.Open();

        Assert.Equal(("off", "on"), (writer.Execute<string>("SHOW synchronous_commit"), other.Execute<string>("SHOW synchronous_commit")));
    }
}
