using System.Globalization;
using Tyto.Collection.Logs;

namespace Tyto.Bench;

/// <summary>
/// Plausible log lines of a small fleet, made up as they are needed: journal units (sshd, systemd, the kernel, cron,
/// nginx, postgres), files (an nginx access log, an application's logfmt) and containers (an API, a worker, redis).
/// Every line has its own numbers, addresses and ids, and about half name an entity from a vocabulary of
/// <see cref="VocabularySize"/> made-up words drawn by Zipf's law, so the index holds words of every frequency:
/// <c>error</c> and <c>connection</c> in about one line in ten, the rarest vocabulary words in a few dozen of ten million.
/// </summary>
public sealed class LogLines(int seed)
{
    public const int VocabularySize = 30_000;

    /// <summary>The hosts, each with its share of the lines.</summary>
    public static readonly (string Agent, int Weight)[] Agents =
    [
        ("local", 10), ("web-01", 16), ("web-02", 16), ("web-03", 12), ("api-01", 14), ("api-02", 12),
        ("db-01", 8), ("db-02", 6), ("cache-01", 5), ("batch-01", 1),
    ];

    /// <summary>The made-up words, most frequent first: rank r is drawn about 1/r as often as rank 1.</summary>
    public static readonly string[] Vocabulary = MakeVocabulary();

    private static readonly double[] ZipfCumulative = MakeZipf();
    private static readonly int AgentWeights = Agents.Sum(a => a.Weight);
    private static readonly string[] Users = ["deploy", "root", "admin", "ubuntu", "backup", "git", "postgres", "ansible"];
    private static readonly string[] Paths = ["/api/v1/orders", "/api/v1/users", "/api/v1/items", "/static/app.js", "/health", "/api/v1/search", "/login", "/api/v1/invoices"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
    private static readonly string[] UserAgents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36", "curl/8.5.0", "Go-http-client/2.0", "python-requests/2.31.0"];
    private static readonly string[] Tables = ["orders", "users", "invoices", "sessions", "line_items", "payments"];
    private static readonly string[] Upstreams = ["db-01:5432", "db-02:5432", "cache-01:6379", "api-01:8080", "api-02:8080", "queue:5672"];
    private static readonly string[] Units = ["cron.service", "logrotate.service", "apt-daily.service", "fstrim.service", "man-db.service", "systemd-tmpfiles-clean.service"];
    private static readonly Dictionary<string, string> NoFields = [];

    private readonly Random _random = new(seed);

    /// <summary>One line of <paramref name="agent"/> at <paramref name="at"/>.</summary>
    public (string SourceKey, LogEntry Entry) Next(string agent, DateTime at)
    {
        var r = _random.Next(100);
        return r switch
        {
            < 22 => Access(at),
            < 40 => App(at),
            < 50 => Worker(at),
            < 60 => Sshd(agent, at),
            < 68 => Systemd(at),
            < 74 => Kernel(at),
            < 82 => NginxError(at),
            < 90 => Postgres(agent, at),
            < 95 => Redis(at),
            _ => Cron(agent, at),
        };
    }

    /// <summary>A host drawn by its share of the lines.</summary>
    public string Agent()
    {
        var pick = _random.Next(AgentWeights);
        foreach (var (agent, weight) in Agents)
        {
            if (pick < weight)
                return agent;
            pick -= weight;
        }
        return Agents[^1].Agent;
    }

    /// <summary>A vocabulary word drawn by Zipf's law.</summary>
    public string Word()
    {
        var index = Array.BinarySearch(ZipfCumulative, _random.NextDouble() * ZipfCumulative[^1]);
        return Vocabulary[Math.Min(index < 0 ? ~index : index, VocabularySize - 1)];
    }

    private (string, LogEntry) Access(DateTime at)
    {
        var status = Pick(200, 200, 200, 200, 200, 304, 201, 404, 500, 502);
        var line = Format($"{Ip()} - - [{at:dd/MMM/yyyy:HH:mm:ss} +0000] \"{Pick(Methods)} {Pick(Paths)}/{Word()}?page={_random.Next(1, 40)} HTTP/1.1\" {status} {_random.Next(200, 90_000)} \"-\" \"{Pick(UserAgents)}\" rt={_random.Next(1, 900) / 1000.0:F3}");
        return File(at, "/var/log/nginx/access.log", status >= 500 ? LogSeverity.Error : LogSeverity.Info, line);
    }

    private (string, LogEntry) App(DateTime at)
    {
        var r = _random.Next(100);
        var id = Hex(16);
        var (level, line) = r switch
        {
            < 55 => (LogSeverity.Info, Format($"level=info msg=\"request completed\" method={Pick(Methods)} path={Pick(Paths)} customer={Word()} status=200 duration={_random.Next(1, 500)}ms request_id={id}")),
            < 70 => (LogSeverity.Debug, Format($"level=debug msg=\"cache lookup\" key={Word()}:{_random.Next(100_000)} hit={(_random.Next(3) == 0 ? "false" : "true")} request_id={id}")),
            < 82 => (LogSeverity.Warning, Format($"level=warn msg=\"slow query\" table={Pick(Tables)} duration={_random.Next(500, 9000)}ms customer={Word()} request_id={id}")),
            < 94 => (LogSeverity.Error, Format($"level=error msg=\"connection to {Pick(Upstreams)} failed\" error=\"dial tcp {Ip()}:{Pick(5432, 6379, 8080)}: connect: connection refused\" attempt={_random.Next(1, 6)} request_id={id}")),
            _ => (LogSeverity.Error, Format($"level=error msg=\"payment declined\" customer={Word()} order={_random.Next(1_000_000, 9_999_999)} reason=\"{Pick("insufficient funds", "card expired", "do not honor", "fraud suspected")}\" request_id={id}")),
        };
        return File(at, "/var/log/app/app.log", level, line);
    }

    private (string, LogEntry) Worker(DateTime at)
    {
        var r = _random.Next(100);
        var (level, line) = r switch
        {
            < 60 => (LogSeverity.Info, Format($"{at:O} INFO  [worker-{_random.Next(16)}] job {Word()}-{_random.Next(100_000)} finished in {_random.Next(5, 30_000)} ms ({_random.Next(1, 5000)} items)")),
            < 80 => (LogSeverity.Warning, Format($"{at:O} WARN  [worker-{_random.Next(16)}] retrying {Word()} in {_random.Next(1, 60)}s (attempt {_random.Next(1, 5)}/5): timeout after {_random.Next(1, 30) * 1000} ms")),
            _ => (LogSeverity.Error, Format($"{at:O} ERROR [worker-{_random.Next(16)}] job {Word()}-{_random.Next(100_000)} failed: connection reset by peer ({Pick(Upstreams)})")),
        };
        return Docker(at, "worker", level, line);
    }

    private (string, LogEntry) Sshd(string agent, DateTime at)
    {
        var r = _random.Next(100);
        var (level, line) = r switch
        {
            < 35 => (LogSeverity.Info, Format($"Accepted publickey for {Pick(Users)} from {Ip()} port {_random.Next(1024, 65535)} ssh2: ED25519 SHA256:{Hex(22)}")),
            < 60 => (LogSeverity.Info, Format($"Failed password for invalid user {Word()} from {Ip()} port {_random.Next(1024, 65535)} ssh2")),
            < 85 => (LogSeverity.Info, Format($"Connection closed by authenticating user {Pick(Users)} {Ip()} port {_random.Next(1024, 65535)} [preauth]")),
            _ => (LogSeverity.Error, Format($"error: kex_exchange_identification: Connection reset by peer from {Ip()} port {_random.Next(1024, 65535)}")),
        };
        return Journal(at, "sshd.service", level, line, agent);
    }

    private (string, LogEntry) Systemd(DateTime at)
    {
        var unit = Pick(Units);
        var line = _random.Next(4) switch
        {
            0 => Format($"Starting {unit} - {Word()} maintenance..."),
            1 => Format($"Started {unit}."),
            2 => Format($"{unit}: Deactivated successfully."),
            _ => Format($"{unit}: Consumed {_random.Next(0, 50)}.{_random.Next(100, 999)}s CPU time."),
        };
        return Journal(at, "init.scope", LogSeverity.Info, line, "systemd");
    }

    private (string, LogEntry) Kernel(DateTime at)
    {
        var (level, line) = _random.Next(10) switch
        {
            < 7 => (LogSeverity.Warning, Format($"[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:{Hex(2)}:{Hex(2)}:{Hex(2)} SRC={Ip()} DST=10.0.0.{_random.Next(2, 40)} LEN={_random.Next(40, 1500)} TTL={_random.Next(30, 64)} PROTO=TCP SPT={_random.Next(1024, 65535)} DPT={Pick(22, 23, 3389, 5900, 8080)} WINDOW=1024 SYN URGP=0")),
            < 9 => (LogSeverity.Info, Format($"EXT4-fs (sda{_random.Next(1, 4)}): mounted filesystem {Hex(8)}-{Hex(4)} r/w with ordered data mode")),
            _ => (LogSeverity.Crit, Format($"Out of memory: Killed process {_random.Next(1000, 99_999)} ({Word()}) total-vm:{_random.Next(100_000, 9_000_000)}kB, anon-rss:{_random.Next(100_000, 900_000)}kB")),
        };
        return Journal(at, "kernel", level, line, "kernel");
    }

    private (string, LogEntry) NginxError(DateTime at)
    {
        var upstream = Pick(Upstreams);
        var line = Format($"{at:yyyy/MM/dd HH:mm:ss} [error] {_random.Next(1000, 9999)}#0: *{_random.Next(1, 9_000_000)} connect() failed (111: Connection refused) while connecting to upstream, client: {Ip()}, server: shop.example.com, request: \"{Pick(Methods)} {Pick(Paths)} HTTP/1.1\", upstream: \"http://{upstream}{Pick(Paths)}\"");
        return Journal(at, "nginx.service", LogSeverity.Error, line, "nginx");
    }

    private (string, LogEntry) Postgres(string agent, DateTime at)
    {
        var (level, line) = _random.Next(10) switch
        {
            < 4 => (LogSeverity.Info, Format($"LOG:  checkpoint complete: wrote {_random.Next(10, 9000)} buffers ({_random.Next(0, 100)}.{_random.Next(10)}%); 0 WAL file(s) added, {_random.Next(0, 3)} removed; write={_random.Next(1, 300)}.{_random.Next(100, 999)} s")),
            < 6 => (LogSeverity.Info, Format($"LOG:  connection authorized: user={Pick(Users)} database={Pick(Tables)} application_name={Word()}")),
            < 8 => (LogSeverity.Error, Format($"ERROR:  duplicate key value violates unique constraint \"{Pick(Tables)}_pkey\" DETAIL: Key (id)=({_random.Next(1, 9_999_999)}) already exists.")),
            < 9 => (LogSeverity.Error, Format($"FATAL:  remaining connection slots are reserved for non-replication superuser connections")),
            _ => (LogSeverity.Warning, Format($"WARNING:  could not receive data from client: Connection reset by peer")),
        };
        return Journal(at, "postgresql@16-main.service", level, line, agent);
    }

    private (string, LogEntry) Redis(DateTime at)
    {
        var line = _random.Next(3) switch
        {
            0 => Format($"1:M {at:dd MMM yyyy HH:mm:ss.fff} * Background saving started by pid {_random.Next(100, 99_999)}"),
            1 => Format($"1:M {at:dd MMM yyyy HH:mm:ss.fff} * {_random.Next(1, 10_000)} changes in {_random.Next(60, 3600)} seconds. Saving..."),
            _ => Format($"{_random.Next(100, 99_999)}:C {at:dd MMM yyyy HH:mm:ss.fff} * DB saved on disk"),
        };
        return Docker(at, "redis", LogSeverity.Info, line);
    }

    private (string, LogEntry) Cron(string agent, DateTime at)
    {
        var line = Format($"({Pick(Users)}) CMD (/usr/local/bin/{Word()}-sync --since {_random.Next(1, 120)}m > /dev/null 2>&1)");
        return Journal(at, "cron.service", LogSeverity.Info, line, agent);
    }

    private static (string, LogEntry) File(DateTime at, string path, LogSeverity level, string line) =>
        ("file", new LogEntry(at, LogSourceKind.File, path, level, line, NoFields));

    private (string, LogEntry) Docker(DateTime at, string container, LogSeverity level, string line) =>
        ("docker", new LogEntry(at, LogSourceKind.Docker, container, level, line, new Dictionary<string, string>
        {
            ["stream"] = level <= LogSeverity.Warning ? "stderr" : "stdout",
            ["container_id"] = $"{container}-{Hex(4)}",
        }));

    private (string, LogEntry) Journal(DateTime at, string unit, LogSeverity level, string line, string identifier) =>
        ("journal", new LogEntry(at, LogSourceKind.Journal, unit, level, line, new Dictionary<string, string>
        {
            ["pid"] = _random.Next(1, 99_999).ToString(CultureInfo.InvariantCulture),
            ["syslog_identifier"] = identifier,
            ["transport"] = "syslog",
        }));

    private static string Format(FormattableString line) => FormattableString.Invariant(line);

    private string Ip() => $"{Pick(10, 172, 192, 203, 45, 185)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}";

    private string Hex(int length) => Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64()))[..Math.Min(length, 16)];

    private T Pick<T>(params T[] items) => items[_random.Next(items.Length)];

    /// <summary>Pronounceable made-up words from syllables, none shorter than five letters, none twice.</summary>
    private static string[] MakeVocabulary()
    {
        string[] onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "kr", "st", "tr"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
        var random = new Random(4711);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < VocabularySize)
        {
            var syllables = random.Next(2, 4);
            var word = string.Concat(Enumerable.Range(0, syllables).Select(_ => onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)]));
            if (word.Length >= 5)
                words.Add(word + (random.Next(3) == 0 ? "x" : ""));
        }
        return [.. words];
    }

    private static double[] MakeZipf()
    {
        var cumulative = new double[VocabularySize];
        var sum = 0.0;
        for (var rank = 1; rank <= VocabularySize; rank++)
            cumulative[rank - 1] = sum += 1.0 / rank;
        return cumulative;
    }
}
