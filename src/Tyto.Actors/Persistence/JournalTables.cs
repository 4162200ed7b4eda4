using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Hosting;
using Akka.Persistence.Sql.Journal.Types;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB;

namespace Tyto.Actors.Persistence;

/// <summary>
/// Creates Akka.Persistence.Sql's journal, tag and snapshot tables as its own auto-initialize would, from the same
/// settings and with its own mapping and DDL, but when <see cref="TytoDatabase.EnsureCreated"/> calls it: on
/// PostgreSQL that is under the schema lock, where the plugin's own creation would race the other nodes'.
/// </summary>
internal static class JournalTables
{
    public static void Create(SqlJournalOptions journalOptions, SqlSnapshotOptions snapshotOptions)
    {
        var journal = new JournalConfig(journalOptions.ToConfig().GetConfig(journalOptions.PluginId).WithFallback(SqlPersistence.DefaultJournalConfiguration));
        using (var connection = new AkkaPersistenceDataConnectionFactory(journal).GetConnection())
        {
            Wait(connection.CreateTableAsync<JournalRow>(TableOptions.CreateIfNotExists, journal.GenerateJournalFooter()));
            if (journal.PluginConfig.TagMode is not TagMode.Csv)
                Wait(connection.CreateTableAsync<JournalTagRow>(TableOptions.CreateIfNotExists, journal.GenerateTagFooter()));
            if (journal.DaoConfig.SqlCommonCompatibilityMode)
                Wait(connection.CreateTableAsync<JournalMetaData>(TableOptions.CreateIfNotExists));
        }
        var snapshot = new SnapshotConfig(snapshotOptions.ToConfig().GetConfig(snapshotOptions.PluginId).WithFallback(SqlPersistence.DefaultSnapshotConfiguration));
        using (var connection = new AkkaPersistenceDataConnectionFactory(snapshot).GetConnection())
        {
            Wait(connection.UseDateTime
                ? connection.CreateTableAsync<DateTimeSnapshotRow>(TableOptions.CreateIfNotExists, snapshot.GenerateSnapshotFooter())
                : connection.CreateTableAsync<LongSnapshotRow>(TableOptions.CreateIfNotExists, snapshot.GenerateSnapshotFooter()));
        }
    }

    /// <summary>The plugin offers its DDL only asynchronously; creation runs once, at start, before anything else.</summary>
    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
