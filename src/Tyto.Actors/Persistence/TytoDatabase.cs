using LinqToDB;
using LinqToDB.Data;
using Tyto.Actors.Alerts;
using Tyto.Actors.Identity;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Persistence;

/// <summary>
/// The one database of a server node: Akka.Persistence.Sql's journal and snapshots, and the read models
/// (users, roles, sessions, audit log, metrics history, logs) beside them. A SQLite file in the data directory by default.
/// </summary>
public sealed class TytoDatabase
{
    private readonly DataOptions _historyWriter;

    public TytoDatabase(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        FilePath = Path.Combine(DataDirectory, "tyto.db");
        // A writer waits up to 30 s for another (journal, read models) instead of failing with SQLITE_BUSY.
        ConnectionString = $"Data Source={FilePath};Pooling=True;Default Timeout=30";
        Options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
        // A connection string of its own gives the history writer a connection pool of its own, so the settings
        // below never reach the connections the journal commits on.
        _historyWriter = new DataOptions().UseConnectionString(ProviderName, ConnectionString + ";Foreign Keys=False");
    }

    public static string ProviderName => LinqToDB.ProviderName.SQLiteMS;

    public string DataDirectory { get; }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public DataOptions Options { get; }

    public DataConnection Open() => new(Options);

    /// <summary>
    /// A connection for the history and log writers' batches. They commit without waiting for the disk (a power cut may
    /// lose the last seconds of history; the file stays consistent) and checkpoint the WAL every 64 MiB instead
    /// of 4 MiB, so index pages written by every batch are copied into the file once, not once per batch.
    /// Together they took ingest from ~15,000 to ~27,000 samples/s on the bench machine.
    /// </summary>
    public async Task<DataConnection> OpenHistoryWriterAsync(CancellationToken cancellationToken)
    {
        var db = new DataConnection(_historyWriter);
        await db.ExecuteAsync("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384", cancellationToken);
        return db;
    }

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
        // Databases made before failed sign-ins were counted on one row lack the count.
        if (!db.Query<string>("SELECT name FROM pragma_table_info('audit_log')").Contains("count"))
            db.Execute("ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1");
        db.Execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_users_username_key ON users (username_key)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_sessions_user_id ON sessions (user_id)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_audit_log_at ON audit_log (at)");
        HistoryStore.CreateTables(db);
        LogStore.CreateTables(db);
        IdentityStore.CreateTables(db);
        LoginThrottle.CreateTables(db);
        AlertBoard.CreateTables(db);
    }
}
