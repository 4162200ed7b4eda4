namespace Tyto;

/// <summary>
/// The <c>Tyto</c> configuration section (DESIGN.md §9): appsettings, <c>Tyto__*</c> environment variables, command line.
/// Its defaults are here and nowhere else; the host checks every key at start.
/// </summary>
public sealed class TytoOptions
{
    public const string Section = "Tyto";

    /// <summary>A server node: API, cluster, journal, and its own host monitored as <c>local</c>.</summary>
    public const string ServerMode = "server";

    /// <summary>An agent: collectors, outbox and a connection to its servers, nothing of the server.</summary>
    public const string AgentMode = "agent";

    public string Mode { get; set; } = ServerMode;

    public string DataDir { get; set; } = "./data";

    public AuthOptions Auth { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();

    public AgentOptions Agent { get; set; } = new();

    public AgentsOptions Agents { get; set; } = new();

    public CollectionOptions Collection { get; set; } = new();

    public HistoryOptions History { get; set; } = new();

    public PrometheusOptions Prometheus { get; set; } = new();

    public AlertOptions Alerts { get; set; } = new();

    public GpuOptions Gpu { get; set; } = new();

    public DockerOptions Docker { get; set; } = new();

    public SystemdOptions Systemd { get; set; } = new();

    public LogsOptions Logs { get; set; } = new();

    public sealed class AuthOptions
    {
        /// <summary>The password of the <c>admin</c> user created on first start; a random one is printed when unset.</summary>
        public string? AdminPassword { get; set; }

        public bool AllowRegistration { get; set; }

        public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

        public LoginThrottleOptions LoginThrottle { get; set; } = new();

        /// <summary>How long audit log entries are kept.</summary>
        public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(365);
    }

    public sealed class LoginThrottleOptions
    {
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

        public int MaxFailuresPerUser { get; set; } = 5;

        public int MaxFailuresPerAddress { get; set; } = 20;

        /// <summary>The wait before each attempt for a username that failed too often across addresses.</summary>
        public TimeSpan SlowDown { get; set; } = TimeSpan.FromSeconds(1);
    }

    public sealed class DatabaseOptions
    {
        public string Provider { get; set; } = "sqlite";

        public string? ConnectionString { get; set; }
    }

    public sealed class ClusterOptions
    {
        /// <summary>Akka addresses of seed nodes; none means a cluster of one that joins itself.</summary>
        public List<string> Seeds { get; set; } = [];

        /// <summary>Address remoting binds; loopback by default, so a single node opens nothing but its HTTP port.</summary>
        public string Hostname { get; set; } = "127.0.0.1";

        public int Port { get; set; }

        /// <summary>
        /// The passphrase every node of a cluster is given: it encrypts the cluster's CA key in the shared database.
        /// Required with <see cref="Seeds"/>; set it or <see cref="SecretFile"/>, not both.
        /// </summary>
        public string? Secret { get; set; }

        /// <summary>A file holding <see cref="Secret"/> (surrounding whitespace ignored), so that it stays out of the environment.</summary>
        public string? SecretFile { get; set; }

        /// <summary>Whether this node is one of several: seeds are set.</summary>
        public bool IsClustered => Seeds.Count > 0;

        /// <summary>The cluster secret from <see cref="Secret"/> or <see cref="SecretFile"/>; null when neither is set.</summary>
        public string? ReadSecret() => SecretFile is null ? Secret : File.ReadAllText(SecretFile).Trim();
    }

    public sealed class AgentOptions
    {
        /// <summary>
        /// The agent id this node's own host is monitored under: <c>local</c> on a single node; the hostname on a node of a
        /// cluster (<see cref="ClusterOptions.Seeds"/> set) and on an agent.
        /// </summary>
        public string Id { get; set; } = "local";

        /// <summary>An agent's servers (the URLs of their agent endpoints), tried in order.</summary>
        public List<string> Server { get; set; } = [];

        /// <summary>An agent's display name; its hostname when unset.</summary>
        public string? Name { get; set; }

        /// <summary>The fingerprint (<c>sha256:</c> and hex) of the server CA an agent trusts; pinned at first contact when unset.</summary>
        public string? CaFingerprint { get; set; }

        /// <summary>The file an agent reads its one-time enrollment token from; stdin when unset and not a terminal.</summary>
        public string? EnrollmentTokenFile { get; set; }

        /// <summary>The most megabytes of samples an agent's outbox holds before it drops the oldest.</summary>
        public int OutboxMaxMb { get; set; } = 256;
    }

    /// <summary>The server's side of agents: where they connect, and how many enrollment requests may wait.</summary>
    public sealed class AgentsOptions
    {
        /// <summary>The agent endpoint's URL (mutual TLS); an agent is told it with <c>0.0.0.0</c> replaced by the host it used for the API.</summary>
        public string Listen { get; set; } = "https://0.0.0.0:8443";

        /// <summary>The most enrollment requests waiting for approval; more are refused until some are approved, rejected or expire.</summary>
        public int MaxPending { get; set; } = 100;
    }

    public sealed class CollectionOptions
    {
        /// <summary>Seconds between samples until an operator changes the refresh interval.</summary>
        public int Interval { get; set; } = 2;

        /// <summary>The root the host's /proc and /sys are read under.</summary>
        public string RootPath { get; set; } = "/";
    }

    public sealed class HistoryOptions
    {
        /// <summary>The most samples written in one transaction.</summary>
        public int BatchSize { get; set; } = 10000;

        /// <summary>The longest a sample waits for its batch to be written.</summary>
        public TimeSpan BatchWindow { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Samples held while the database is slow, before the writer slows the live stream down.</summary>
        public int Buffer { get; set; } = 20000;

        /// <summary>How long an open bucket waits for more samples of a silent agent before it is written.</summary>
        public TimeSpan IdleGrace { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>How long the writer waits before it tries a failed batch again; the wait doubles with each failure.</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest wait between two tries of a failed batch: the writer never gives a batch up.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        public RetentionOptions Retention { get; set; } = new();

        public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>The most rows one pruning statement deletes, so writers and readers never wait long.</summary>
        public int PruneBatch { get; set; } = 2000;
    }

    /// <summary>How long each resolution of history is kept.</summary>
    public sealed class RetentionOptions
    {
        public TimeSpan Raw { get; set; } = TimeSpan.FromHours(48);

        public TimeSpan OneMinute { get; set; } = TimeSpan.FromDays(14);

        public TimeSpan FiveMinutes { get; set; } = TimeSpan.FromDays(90);

        public TimeSpan OneHour { get; set; } = TimeSpan.FromDays(730);
    }

    public sealed class PrometheusOptions
    {
        /// <summary>Serves <c>/metrics</c> without a token, for scrapers that cannot send one.</summary>
        public bool AllowAnonymous { get; set; }
    }

    public sealed class AlertOptions
    {
        /// <summary>How long a condition must hold before an alert is raised, changes level or resolves.</summary>
        public TimeSpan For { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Points below a line a value must fall to count as under it again.</summary>
        public double Hysteresis { get; set; } = 2;

        /// <summary>Alert events of one rule between two snapshots of its state.</summary>
        public int SnapshotEvery { get; set; } = 100;
    }

    public sealed class GpuOptions
    {
        /// <summary>The nvidia-smi to run, looked up on PATH unless it is a path.</summary>
        public string NvidiaSmi { get; set; } = "nvidia-smi";
    }

    public sealed class DockerOptions
    {
        /// <summary>The Unix socket of the Docker Engine API.</summary>
        public string Socket { get; set; } = "/var/run/docker.sock";

        /// <summary>The longest one request to the engine may take; a container whose stats are late counts as idle for that round.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Stats requests in flight at once.</summary>
        public int Concurrency { get; set; } = 8;

        /// <summary>How often the log reader reads the container list again: containers that started are followed, those that stopped let go, within it.</summary>
        public TimeSpan LogRefresh { get; set; } = TimeSpan.FromSeconds(5);
    }

    public sealed class SystemdOptions
    {
        /// <summary>The systemctl to run, looked up on PATH unless it is a path.</summary>
        public string Systemctl { get; set; } = "systemctl";

        /// <summary>How often the unit list is read again; rounds between two reads show the last one.</summary>
        public TimeSpan Refresh { get; set; } = TimeSpan.FromSeconds(5);
    }

    public sealed class LogsOptions
    {
        /// <summary>The journalctl run to follow the systemd journal, looked up on PATH unless it is a path.</summary>
        public string Journalctl { get; set; } = "journalctl";
        /// <summary>The log files followed: absolute paths, where <c>*</c> and <c>**</c> match as globs.</summary>
        public List<string> Files { get; set; } = [];

        /// <summary>The longest line kept whole; a longer one is cut to this many bytes and marked truncated.</summary>
        public int MaxLineBytes { get; set; } = 16 * 1024;

        /// <summary>How long log entries are kept.</summary>
        public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

        /// <summary>The most MiB of messages and fields kept; the oldest entries go first beyond it.</summary>
        public int MaxMb { get; set; } = 1024;
    }
}
