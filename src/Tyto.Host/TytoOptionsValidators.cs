using System.Text.RegularExpressions;
using Akka.Actor;
using Microsoft.Extensions.Options;
using Tyto.Actors.Persistence;
using Tyto.Api.AgentChannel;
using Tyto.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Host;

/// <summary>Checks one part of the <c>Tyto</c> section; every refusal names its key, so a start lists all mistakes at once.</summary>
public abstract class TytoOptionsValidator : IValidateOptions<TytoOptions>
{
    /// <summary>One of each, in the order of the configuration table.</summary>
    public static readonly IReadOnlyList<IValidateOptions<TytoOptions>> All =
    [
        new ServerOptionsValidator(),
        new AuthOptionsValidator(),
        new AgentOptionsValidator(),
        new AgentModeOptionsValidator(),
        new AgentsOptionsValidator(),
        new CollectionOptionsValidator(),
        new HistoryOptionsValidator(),
        new AlertOptionsValidator(),
        new SourceOptionsValidator(),
        new LogsOptionsValidator(),
        new ClusterOptionsValidator(),
    ];

    /// <summary>
    /// What an agent reads. Only these run in agent mode: the others' checks use server types (the agent endpoint's
    /// address parser), whose assemblies an agent must not load.
    /// </summary>
    public static readonly IReadOnlyList<IValidateOptions<TytoOptions>> Agent =
    [
        new ServerOptionsValidator(),
        new AgentOptionsValidator(),
        new AgentModeOptionsValidator(),
        new CollectionOptionsValidator(),
        new SourceOptionsValidator(),
        new LogsOptionsValidator(),
    ];

    /// <summary>Throws one exception that lists every refused key of the mode <paramref name="options"/> ask for, where any is.</summary>
    public static void ThrowIfInvalid(TytoOptions options)
    {
        var failures = (options.Mode == TytoOptions.AgentMode ? Agent : All).Select(v => v.Validate(Options.DefaultName, options)).SelectMany(r => r.Failures ?? []).ToList();
        if (failures.Count > 0)
            throw new OptionsValidationException(TytoOptions.Section, typeof(TytoOptions), failures);
    }

    public ValidateOptionsResult Validate(string? name, TytoOptions options)
    {
        var errors = Check(options).OfType<string>().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>One message per refused key, null for each accepted one.</summary>
    protected abstract IEnumerable<string?> Check(TytoOptions options);

    protected static string? Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? null : $"{key} must be positive (is {value}).";

    protected static string? NotNegative(TimeSpan value, string key) =>
        value >= TimeSpan.Zero ? null : $"{key} must not be negative (is {value}).";

    protected static string? AtLeast(int value, int minimum, string key) =>
        value >= minimum ? null : $"{key} must be at least {minimum} (is {value}).";

    protected static string? Required(string? value, string key) =>
        string.IsNullOrWhiteSpace(value) ? $"{key} must be set." : null;
}

/// <summary><c>Tyto:Mode</c>, <c>Tyto:DataDir</c> and <c>Tyto:Database</c>.</summary>
public sealed class ServerOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        yield return options.Mode is TytoOptions.ServerMode or TytoOptions.AgentMode ? null : $"Tyto:Mode '{options.Mode}' must be '{TytoOptions.ServerMode}' or '{TytoOptions.AgentMode}'.";
        yield return Required(options.DataDir, "Tyto:DataDir");
        yield return options.Database.Provider is TytoDatabase.Sqlite or TytoDatabase.Postgres
            ? null
            : $"Tyto:Database:Provider '{options.Database.Provider}' must be '{TytoDatabase.Sqlite}' or '{TytoDatabase.Postgres}'.";
        yield return options.Database.Provider == TytoDatabase.Postgres && string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? $"Tyto:Database:ConnectionString must be set for '{TytoDatabase.Postgres}', such as Host=db.example;Database=tyto;Username=tyto;Password=…."
            : null;
    }
}

/// <summary><c>Tyto:Auth</c>: sessions end, and the login throttle lets a right password in.</summary>
public sealed class AuthOptionsValidator : TytoOptionsValidator
{
    /// <summary>The longest a session may live; a longer one also overflows the expiry time.</summary>
    public static readonly TimeSpan MaxSessionLifetime = TimeSpan.FromDays(365);

    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var auth = options.Auth;
        yield return auth.SessionLifetime > TimeSpan.Zero && auth.SessionLifetime <= MaxSessionLifetime
            ? null
            : $"Tyto:Auth:SessionLifetime must be positive and at most {MaxSessionLifetime.TotalDays} days (is {auth.SessionLifetime}).";
        yield return Positive(auth.LoginThrottle.Window, "Tyto:Auth:LoginThrottle:Window");
        // Zero would refuse every login, the right password included.
        yield return AtLeast(auth.LoginThrottle.MaxFailuresPerUser, 1, "Tyto:Auth:LoginThrottle:MaxFailuresPerUser");
        yield return AtLeast(auth.LoginThrottle.MaxFailuresPerAddress, 1, "Tyto:Auth:LoginThrottle:MaxFailuresPerAddress");
        yield return NotNegative(auth.LoginThrottle.SlowDown, "Tyto:Auth:LoginThrottle:SlowDown");
        yield return Positive(auth.AuditRetention, "Tyto:Auth:AuditRetention");
    }
}

/// <summary><c>Tyto:Agent:Id</c>, which becomes part of alert ids (<c>agent:rule:n</c>), URLs and persistence ids.</summary>
public sealed class AgentOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        yield return AgentIds.IsValid(options.Agent.Id) ? null : $"Tyto:Agent:Id '{options.Agent.Id}' {AgentIds.Rule}.";
    }
}

/// <summary>The keys only an agent reads (<c>Tyto:Mode=agent</c>): where its servers are, which CA it trusts, its token and outbox.</summary>
public sealed partial class AgentModeOptionsValidator : TytoOptionsValidator
{
    /// <summary>The agent id of a server node's own host, which no agent may take.</summary>
    public const string ReservedId = "local";

    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        if (options.Mode != TytoOptions.AgentMode)
            yield break;
        var agent = options.Agent;
        yield return agent.Id == ReservedId ? $"Tyto:Agent:Id '{ReservedId}' is reserved for a server's own host; an agent needs another." : null;
        yield return agent.Server.Count > 0 ? null : "Tyto:Agent:Server must name at least one server, such as https://tyto.example:8443.";
        for (var i = 0; i < agent.Server.Count; i++)
            yield return Uri.TryCreate(agent.Server[i], UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps && url.PathAndQuery == "/"
                ? null
                : $"Tyto:Agent:Server:{i} '{agent.Server[i]}' is not the https URL of a server's agent endpoint, such as https://tyto.example:8443.";
        yield return agent.CaFingerprint is null || Fingerprint().IsMatch(agent.CaFingerprint)
            ? null
            : $"Tyto:Agent:CaFingerprint '{agent.CaFingerprint}' is not 'sha256:' and 64 lowercase hex digits, as the server prints it.";
        yield return agent.EnrollmentTokenFile is null || File.Exists(agent.EnrollmentTokenFile)
            ? null
            : $"Tyto:Agent:EnrollmentTokenFile '{agent.EnrollmentTokenFile}' does not exist.";
        yield return AtLeast(agent.OutboxMaxMb, 1, "Tyto:Agent:OutboxMaxMb");
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Fingerprint();
}

/// <summary><c>Tyto:Agents</c>: the agent endpoint's address, and the cap on waiting enrollment requests.</summary>
public sealed class AgentsOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var agents = options.Agents;
        yield return AgentListener.UrlProblem(agents.Listen) is { } problem ? $"Tyto:Agents:Listen '{agents.Listen}' {problem}." : null;
        yield return AtLeast(agents.MaxPending, 1, "Tyto:Agents:MaxPending");
    }
}

/// <summary><c>Tyto:Collection</c>: how often, and from which root, the host is read.</summary>
public sealed class CollectionOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var collection = options.Collection;
        yield return collection.Interval is >= 1 and <= 3600 ? null : $"Tyto:Collection:Interval must be between 1 and 3600 seconds (is {collection.Interval}).";
        yield return RootPath(collection.RootPath);
    }

    private static string? RootPath(string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
            return "Tyto:Collection:RootPath must be set.";
        if (!Directory.Exists(root))
            return $"Tyto:Collection:RootPath '{root}' is not a directory.";
        return Directory.Exists(Path.Join(root, "proc")) ? null : $"Tyto:Collection:RootPath '{root}' has no proc directory.";
    }
}

/// <summary><c>Tyto:History</c>: batches, buffer, pruning and retention.</summary>
public sealed class HistoryOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var history = options.History;
        yield return AtLeast(history.BatchSize, 1, "Tyto:History:BatchSize");
        yield return history.Buffer >= history.BatchSize ? null : $"Tyto:History:Buffer must be at least Tyto:History:BatchSize ({history.BatchSize}; is {history.Buffer}).";
        yield return Positive(history.BatchWindow, "Tyto:History:BatchWindow");
        yield return NotNegative(history.IdleGrace, "Tyto:History:IdleGrace");
        yield return Positive(history.PruneInterval, "Tyto:History:PruneInterval");
        yield return AtLeast(history.PruneBatch, 1, "Tyto:History:PruneBatch");
        // Zero would retry a refused batch in a tight loop.
        yield return Positive(history.RetryDelay, "Tyto:History:RetryDelay");
        yield return history.MaxRetryDelay >= history.RetryDelay
            ? null
            : $"Tyto:History:MaxRetryDelay must be at least Tyto:History:RetryDelay ({history.RetryDelay}; is {history.MaxRetryDelay}).";
        yield return Positive(history.Retention.Raw, "Tyto:History:Retention:Raw");
        yield return Positive(history.Retention.OneMinute, "Tyto:History:Retention:OneMinute");
        yield return Positive(history.Retention.FiveMinutes, "Tyto:History:Retention:FiveMinutes");
        yield return Positive(history.Retention.OneHour, "Tyto:History:Retention:OneHour");
    }
}

/// <summary><c>Tyto:Alerts</c>.</summary>
public sealed class AlertOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var alerts = options.Alerts;
        yield return NotNegative(alerts.For, "Tyto:Alerts:For");
        yield return alerts.Hysteresis is >= 0 and < 100 ? null : $"Tyto:Alerts:Hysteresis must be from 0 to below 100 (is {alerts.Hysteresis}).";
        yield return AtLeast(alerts.SnapshotEvery, 1, "Tyto:Alerts:SnapshotEvery");
    }
}

/// <summary>The sources read through other programs: <c>Tyto:Gpu</c>, <c>Tyto:Docker</c>, <c>Tyto:Systemd</c>.</summary>
public sealed class SourceOptionsValidator : TytoOptionsValidator
{
    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        yield return Required(options.Gpu.NvidiaSmi, "Tyto:Gpu:NvidiaSmi");
        yield return Required(options.Docker.Socket, "Tyto:Docker:Socket");
        yield return Positive(options.Docker.Timeout, "Tyto:Docker:Timeout");
        yield return AtLeast(options.Docker.Concurrency, 1, "Tyto:Docker:Concurrency");
        yield return Positive(options.Docker.LogRefresh, "Tyto:Docker:LogRefresh");
        yield return Required(options.Systemd.Systemctl, "Tyto:Systemd:Systemctl");
        yield return NotNegative(options.Systemd.Refresh, "Tyto:Systemd:Refresh");
    }
}

/// <summary><c>Tyto:Logs</c>: the journalctl run, the files followed, the longest line kept whole, and how much is kept.</summary>
public sealed class LogsOptionsValidator : TytoOptionsValidator
{
    public const int MinLineBytes = 256;
    public const int MaxLineBytes = 1024 * 1024;

    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var logs = options.Logs;
        yield return Required(logs.Journalctl, "Tyto:Logs:Journalctl");
        for (var i = 0; i < logs.Files.Count; i++)
            yield return LogFilePattern.Problem(logs.Files[i]) is { } problem ? $"Tyto:Logs:Files:{i} '{logs.Files[i]}' {problem}." : null;
        yield return logs.MaxLineBytes is >= MinLineBytes and <= MaxLineBytes
            ? null
            : $"Tyto:Logs:MaxLineBytes must be from {MinLineBytes} to {MaxLineBytes} (is {logs.MaxLineBytes}).";
        yield return Positive(logs.Retention, "Tyto:Logs:Retention");
        yield return AtLeast(logs.MaxMb, 1, "Tyto:Logs:MaxMb");
    }
}

/// <summary><c>Tyto:Cluster</c>: the remoting address, seeds this node can join, and the secret that opens the cluster's CA.</summary>
public sealed class ClusterOptionsValidator : TytoOptionsValidator
{
    /// <summary>The shortest cluster secret: it is all that guards the CA key in the shared database.</summary>
    public const int MinSecretLength = 16;

    protected override IEnumerable<string?> Check(TytoOptions options)
    {
        var cluster = options.Cluster;
        yield return Required(cluster.Hostname, "Tyto:Cluster:Hostname");
        yield return cluster.Port is >= 0 and <= 65535 ? null : $"Tyto:Cluster:Port must be from 0 (any free port) to 65535 (is {cluster.Port}).";
        for (var i = 0; i < cluster.Seeds.Count; i++)
            yield return IsSeed(cluster.Seeds[i]) ? null : $"Tyto:Cluster:Seeds:{i} '{cluster.Seeds[i]}' is not a seed address such as {SeedProtocol}://{AkkaComposition.SystemName}@host:4053.";
        yield return CheckSecret(cluster);
        yield return cluster.IsClustered && options.Agent.Id == AgentModeOptionsValidator.ReservedId
            ? $"Tyto:Agent:Id '{AgentModeOptionsValidator.ReservedId}' is a single node's; each node of a cluster needs an id of its own (its hostname when unset)."
            : null;
    }

    private static string? CheckSecret(TytoOptions.ClusterOptions cluster)
    {
        if (cluster.Secret is not null && cluster.SecretFile is not null)
            return "Tyto:Cluster:Secret and Tyto:Cluster:SecretFile are both set; set one.";
        if (cluster.SecretFile is not null && !File.Exists(cluster.SecretFile))
            return $"Tyto:Cluster:SecretFile '{cluster.SecretFile}' does not exist.";
        var secret = cluster.ReadSecret();
        if (secret is null)
            return cluster.IsClustered
                ? "Tyto:Cluster:Secret (or Tyto:Cluster:SecretFile) must be set when Tyto:Cluster:Seeds is: every node of a cluster is given the same secret, which opens the cluster's CA."
                : null;
        return secret.Length >= MinSecretLength ? null : $"Tyto:Cluster:Secret must have at least {MinSecretLength} characters.";
    }

    /// <summary>Remoting between nodes is always TLS: Akka names that protocol so in addresses.</summary>
    private const string SeedProtocol = "akka.ssl.tcp";

    /// <summary>An address of a node of this actor system that remoting can reach: protocol, system, host and port, no path.</summary>
    private static bool IsSeed(string seed) =>
        Address.TryParse(seed, out var address, out var path) &&
        address is { Protocol: SeedProtocol, System: AkkaComposition.SystemName, Host.Length: > 0, Port: >= 1 and <= 65535 } &&
        path is "" or "/";
}
