using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Persistence;

/// <summary>
/// An actor system whose journal and snapshot store are Akka.Persistence.Sql over a SQLite file of its own, set up
/// as the server sets up its database, with Tyto's serializer bound to events and snapshots.
/// </summary>
public abstract class SqliteTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected SqliteTestKit()
        : this(CreateDatabase())
    {
    }

    private SqliteTestKit(TytoDatabase database)
        : base(ConfigFor(database))
    {
        Database = database;
    }

    protected TytoDatabase Database { get; }

    public static Config SerializationConfig => ConfigurationFactory.ParseString("""
        akka.actor {
          serializers {
            tyto = "Tyto.Actors.Persistence.TytoSerializer, Tyto.Actors"
            tyto-messages = "Tyto.Actors.Persistence.TytoMessageSerializer, Tyto.Actors"
          }
          # As on the server: a type no serializer is bound to is refused, never sent as Akka's default JSON.
          serialization-settings.allow-unregistered-types = off
          serialization-bindings {
            "Tyto.Actors.ITytoEvent, Tyto.Actors" = tyto
            "Tyto.Actors.ITytoSnapshot, Tyto.Actors" = tyto
            "Tyto.Collection.ITytoMessage, Tyto.Collection" = tyto-messages
          }
        }
        """);

    /// <summary>The events of one persistent actor as the journal table holds them.</summary>
    protected IReadOnlyList<StoredRow> JournalRows(string persistenceId) =>
        Rows("SELECT sequence_number, manifest, identifier, message FROM journal WHERE persistence_id = $id ORDER BY sequence_number", persistenceId);

    /// <summary>The snapshots of one persistent actor as the snapshot table holds them.</summary>
    protected IReadOnlyList<StoredRow> SnapshotRows(string persistenceId) =>
        Rows("SELECT sequence_number, manifest, serializer_id, snapshot FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number", persistenceId);

    /// <summary>Makes SQLite itself refuse every journal write, as on a full disk, until <see cref="AcceptJournalWrites"/>.</summary>
    protected void RefuseJournalWrites() =>
        Execute("CREATE TRIGGER refuse_journal BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");

    protected void AcceptJournalWrites() => Execute("DROP TRIGGER refuse_journal");

    /// <summary>Stops an actor and waits until it has stopped, so its journal writes are done.</summary>
    protected void Stop(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, TimeSpan.FromSeconds(15));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            Directory.Delete(Database.DataDirectory, recursive: true);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(Database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<StoredRow> Rows(string sql, string persistenceId)
    {
        using var connection = new SqliteConnection(Database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", persistenceId);
        using var reader = command.ExecuteReader();
        var rows = new List<StoredRow>();
        while (reader.Read())
            rows.Add(new StoredRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), Encoding.UTF8.GetString((byte[])reader.GetValue(3))));
        return rows;
    }

    private static TytoDatabase CreateDatabase()
    {
        var database = new TytoDatabase(Directory.CreateTempSubdirectory("tyto-journal-").FullName);
        database.EnsureCreated();
        return database;
    }

    /// <summary>The journal, snapshot store and query journal on <paramref name="database"/>, whose tables it created.</summary>
    internal static Config ConfigFor(TytoDatabase database)
    {
        var plugin = $"""
            connection-string = "{database.ConnectionString}"
            provider-name = "{database.ProviderName}"
            auto-initialize = off
            """;
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  {{plugin}}
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  {{plugin}}
                }
              }
              query.journal.sql {
                class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
                {{plugin}}
                refresh-interval = 200ms
              }
            }
            """).WithFallback(SerializationConfig);
    }
}

/// <summary>One row of the journal or snapshot table: what a later incarnation will read back.</summary>
public sealed record StoredRow(long SequenceNumber, string Manifest, int SerializerId, string Payload);
