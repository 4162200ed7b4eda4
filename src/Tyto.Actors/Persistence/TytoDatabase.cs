using LinqToDB;
using LinqToDB.Data;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Persistence;

/// <summary>
/// The one database of a server node: Akka.Persistence.Sql's journal and snapshots, and the read models
/// (users, roles, sessions, audit log, metrics history) beside them. A SQLite file in the data directory by default.
/// </summary>
public sealed class TytoDatabase
{
    public TytoDatabase(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        FilePath = Path.Combine(DataDirectory, "tyto.db");
        // A writer waits up to 30 s for another (journal, read models) instead of failing with SQLITE_BUSY.
        ConnectionString = $"Data Source={FilePath};Pooling=True;Default Timeout=30";
        Options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
    }

    public static string ProviderName => LinqToDB.ProviderName.SQLiteMS;

    public string DataDirectory { get; }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public DataOptions Options { get; }

    public DataConnection Open() => new(Options);

    /// <summary>Creates the data directory, switches SQLite to WAL and creates the read-model tables.</summary>
    public void EnsureCreated()
    {
        Directory.CreateDirectory(DataDirectory);
        using var db = Open();
        // WAL lets the live readers (sessions, history) proceed while the journal writes.
        db.Execute("PRAGMA journal_mode=WAL");
        db.CreateTable<UserRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<RoleRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<SessionRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<AuditRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.Execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_users_username_key ON users (username_key)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_sessions_user_id ON sessions (user_id)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_audit_log_at ON audit_log (at)");
        HistoryStore.CreateTables(db);
    }
}
