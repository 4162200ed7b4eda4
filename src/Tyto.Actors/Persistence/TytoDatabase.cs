using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using LinqToDB.Data;
using Npgsql;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Identity;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Persistence;

/// <summary>
/// The one database of a server node: Akka.Persistence.Sql's journal and snapshots, and the read models
/// (users, roles, sessions, audit log, metrics history, logs) beside them. A SQLite file in the data directory by
/// default; a PostgreSQL database shared by the nodes of a cluster with <c>Tyto:Database:Provider=postgres</c>.
/// </summary>
public sealed class TytoDatabase
{
    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    /// <summary>
    /// The session advisory lock the schema is created under on PostgreSQL ('tyto' in ASCII): <c>CREATE … IF NOT
    /// EXISTS</c> alone fails when two nodes create the same table at once.
    /// </summary>
    private const long SchemaLock = 0x7479746F;

    private readonly DataOptions _historyWriter;

    /// <summary>A SQLite database in <paramref name="dataDirectory"/>.</summary>
    public TytoDatabase(string dataDirectory)
        : this(dataDirectory, new TytoOptions.DatabaseOptions())
    {
    }

    /// <summary>The database <c>Tyto:DataDir</c> and <c>Tyto:Database</c> name.</summary>
    public TytoDatabase(TytoOptions options)
        : this(options.DataDir, options.Database)
    {
    }

    public TytoDatabase(string dataDirectory, TytoOptions.DatabaseOptions database)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        FilePath = Path.Combine(DataDirectory, "tyto.db");
        IsPostgres = database.Provider == Postgres;
        // A connection string of its own gives the history writer a connection pool of its own, so its settings (see
        // OpenHistoryWriterAsync) never reach the connections the journal commits on.
        string historyWriter;
        if (IsPostgres)
        {
            ConnectionString = database.ConnectionString ?? throw new ArgumentException("A PostgreSQL database needs a connection string.", nameof(database));
            ProviderName = LinqToDB.ProviderName.PostgreSQL15;
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            builder.Options = $"{builder.Options} -c synchronous_commit=off".TrimStart();
            historyWriter = builder.ConnectionString;
            LogIndex = new PostgresLogIndex();
        }
        else
        {
            // A writer waits up to 30 s for another (journal, read models) instead of failing with SQLITE_BUSY.
            ConnectionString = $"Data Source={FilePath};Pooling=True;Default Timeout=30";
            ProviderName = LinqToDB.ProviderName.SQLiteMS;
            historyWriter = ConnectionString + ";Foreign Keys=False";
            LogIndex = new SqliteLogIndex();
        }
        Options = new DataOptions().UseConnectionString(ProviderName, ConnectionString);
        _historyWriter = new DataOptions().UseConnectionString(ProviderName, historyWriter);
    }

    /// <summary>linq2db's name of the provider, which Akka.Persistence.Sql takes too.</summary>
    public string ProviderName { get; }

    public bool IsPostgres { get; }

    /// <summary>The node's own files (its CA, and the SQLite database unless on PostgreSQL).</summary>
    public string DataDirectory { get; }

    /// <summary>The SQLite file; unused on PostgreSQL.</summary>
    public string FilePath { get; }

    public string ConnectionString { get; }

    public DataOptions Options { get; }

    /// <summary>Everything about logs that differs by database: the full-text index, the size counter, free ids.</summary>
    public LogIndex LogIndex { get; }

    /// <summary>The journal plugin's settings; its tables are created by <see cref="EnsureCreated"/>, not by the plugin.</summary>
    public SqlJournalOptions JournalOptions => new(isDefaultPlugin: true)
    {
        ConnectionString = ConnectionString,
        ProviderName = ProviderName,
        AutoInitialize = false,
    };

    /// <summary>The snapshot plugin's settings; its table is created by <see cref="EnsureCreated"/>, not by the plugin.</summary>
    public SqlSnapshotOptions SnapshotOptions => new(isDefaultPlugin: true)
    {
        ConnectionString = ConnectionString,
        ProviderName = ProviderName,
        AutoInitialize = false,
    };

    public DataConnection Open() => new(Options);

    /// <summary>
    /// A connection for the history and log writers' batches. They commit without waiting for the disk (a power cut
    /// may lose the last seconds of history; the database stays consistent): on PostgreSQL with synchronous_commit off
    /// on connections of their own; on SQLite with synchronous NORMAL, and a WAL checkpoint every 64 MiB instead of
    /// 4 MiB, so index pages written by every batch are copied into the file once, not once per batch. Together those
    /// took SQLite's ingest from ~15,000 to ~27,000 samples/s on the bench machine.
    /// </summary>
    public async Task<DataConnection> OpenHistoryWriterAsync(CancellationToken cancellationToken)
    {
        var db = new DataConnection(_historyWriter);
        if (!IsPostgres)
            await db.ExecuteAsync("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384", cancellationToken);
        return db;
    }

    /// <summary>
    /// Creates the data directory and every table: the journal's and the read models'. On SQLite it switches the file
    /// to WAL; on PostgreSQL it holds <see cref="SchemaLock"/> meanwhile, so nodes starting at once create it one
    /// after the other and the later ones find it made.
    /// </summary>
    public void EnsureCreated()
    {
        Directory.CreateDirectory(DataDirectory);
        using var db = Open();
        if (!IsPostgres)
        {
            // WAL lets the live readers (sessions, history) proceed while the journal writes.
            db.Execute("PRAGMA journal_mode=WAL");
            CreateTables(db);
            return;
        }
        db.Execute("SELECT pg_advisory_lock(@key)", new DataParameter("key", SchemaLock));
        try
        {
            CreateTables(db);
        }
        finally
        {
            db.Execute("SELECT pg_advisory_unlock(@key)", new DataParameter("key", SchemaLock));
        }
    }

    private void CreateTables(DataConnection db)
    {
        JournalTables.Create(JournalOptions, SnapshotOptions);
        db.CreateTable<UserRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<RoleRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<SessionRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.CreateTable<AuditRecord>(tableOptions: TableOptions.CreateIfNotExists);
        // SQLite databases made before failed sign-ins were counted on one row lack the count; PostgreSQL ones never did.
        if (!IsPostgres && !db.Query<string>("SELECT name FROM pragma_table_info('audit_log')").Contains("count"))
            db.Execute("ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1");
        db.Execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_users_username_key ON users (username_key)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_sessions_user_id ON sessions (user_id)");
        db.Execute("CREATE INDEX IF NOT EXISTS ix_audit_log_at ON audit_log (at)");
        HistoryStore.CreateTables(db);
        LogStore.CreateTables(db, LogIndex);
        ClusterAuthorityStore.CreateTable(db);
        IdentityStore.CreateTables(db);
        LoginThrottle.CreateTables(db);
        AlertBoard.CreateTables(db);
    }
}
