using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tyto.Collection.Logs;

namespace Tyto.Collection.Channel;

/// <summary>
/// What an agent and the server's agent endpoint (<c>Tyto:Agents:Listen</c>) say to each other: enrollment over plain
/// HTTPS requests, then one WebSocket per agent over mutual TLS carrying JSON text frames, one frame per message.
/// </summary>
public static class AgentWire
{
    /// <summary>
    /// GET, no client certificate: the CA certificate (PEM). A server on Linux never sends its root in the TLS handshake,
    /// so an agent fetches it here and checks it against its pinned fingerprint before it trusts the connection.
    /// </summary>
    public const string CaPath = "/agent/v1/ca";

    /// <summary>Enrollment: an <see cref="EnrollmentRequest"/> answered by an <see cref="EnrollmentAnswer"/>. No client certificate.</summary>
    public const string EnrollPath = "/agent/v1/enroll";

    /// <summary>A pending agent asks how its request stands: an <see cref="EnrollmentPoll"/> answered by an <see cref="EnrollmentAnswer"/>.</summary>
    public const string PollPath = "/agent/v1/enroll/poll";

    /// <summary>The WebSocket of an enrolled agent; its client certificate says which agent it is.</summary>
    public const string ChannelPath = "/agent/v1/channel";

    /// <summary>The largest enrollment body: a CSR and a few names.</summary>
    public const int MaxEnrollmentBytes = 16 * 1024;

    /// <summary>The largest frame either side reads; a larger one ends the connection.</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    /// <summary>Samples an agent sends before it waits for their acknowledgement: the flow control of the channel.</summary>
    public const int Window = 64;

    /// <summary>How often each side says it is alive when it has nothing else to say.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the server waits for an agent to answer its ping before it drops the connection and lists the agent
    /// offline: an agent whose host froze or lost its network keeps its TCP connection open, but answers no ping.
    /// </summary>
    public static readonly TimeSpan HeartbeatTimeout = 3 * HeartbeatInterval;

    /// <summary>Snake_case names like the API's resources; the sample inside a <see cref="SampleFrame"/> keeps the Metrics Structure's camelCase.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The Metrics Structure of API.md, as samples travel inside frames.</summary>
    public static readonly JsonSerializerOptions SampleJson = new(JsonSerializerDefaults.Web);

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of a certificate (DER): how a server prints its CA and an agent pins it.</summary>
    public static string FingerprintOf(X509Certificate2 certificate) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static byte[] Serialize(ChannelFrame frame) => JsonSerializer.SerializeToUtf8Bytes(frame, Json);

    /// <summary>The frame in <paramref name="utf8"/>; throws <see cref="JsonException"/> on anything else.</summary>
    public static ChannelFrame Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<ChannelFrame>(utf8, Json) ?? throw new JsonException("A frame must be a JSON object.");
}

/// <summary>What an agent sends to enroll: who it is, its certificate signing request (PEM), and a one-time token or a secret to poll with.</summary>
public sealed record EnrollmentRequest(
    string AgentId, string Name, string Hostname, string Os, string Architecture, string Csr, string? Token, string? Secret);

/// <summary>A pending agent's question, with the secret it chose when it asked to enroll.</summary>
public sealed record EnrollmentPoll(string AgentId, string Secret);

/// <summary>How an enrollment stands; errors come in the API's error envelope instead.</summary>
public enum EnrollmentStatus
{
    Approved,
    Pending,
}

/// <summary>
/// The answer to an enrollment or a poll: approved with the agent's certificate and the CA's (PEM), or pending,
/// to be asked again after <see cref="PollAfterSeconds"/>.
/// </summary>
public sealed record EnrollmentAnswer(EnrollmentStatus Status, string? Certificate, string? CaCertificate, int? PollAfterSeconds);

/// <summary>One message on the channel, told apart by its <c>type</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HelloFrame), "hello")]
[JsonDerivedType(typeof(SampleFrame), "sample")]
[JsonDerivedType(typeof(LogsFrame), "logs")]
[JsonDerivedType(typeof(HeartbeatFrame), "heartbeat")]
[JsonDerivedType(typeof(ReplyFrame), "reply")]
[JsonDerivedType(typeof(WelcomeFrame), "welcome")]
[JsonDerivedType(typeof(AckFrame), "ack")]
[JsonDerivedType(typeof(CommandFrame), "command")]
[JsonDerivedType(typeof(ClosingFrame), "closing")]
public abstract record ChannelFrame;

/// <summary>Agent → server, first: who it is and what its outbox holds (the oldest sample not yet acknowledged, if any).</summary>
public sealed record HelloFrame(
    string AgentId, string Version, string Hostname, string Os, string Architecture, long Buffered, long Dropped, DateTime? OldestBuffered) : ChannelFrame;

/// <summary>What an agent's outbox holds and sends, under its sequence number, until the server acknowledges it.</summary>
public abstract record OutboxFrame(long Seq) : ChannelFrame;

/// <summary>Agent → server: one sample under its outbox sequence number, with its original timestamp.</summary>
public sealed record SampleFrame(long Seq, MetricsSample Sample) : OutboxFrame(Seq);

/// <summary>
/// Agent → server: log entries of one source of the agent's host, oldest first, under their outbox sequence number
/// (the server stores a sequence number's entries once).
/// </summary>
public sealed record LogsFrame(long Seq, string Source, IReadOnlyList<LogEntry> Entries) : OutboxFrame(Seq)
{
    /// <summary>The most entries one frame carries.</summary>
    public const int MaxEntries = 1000;

    /// <summary>What makes the frame unfit to store (a value missing or out of range), or null when it is fit.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(Source) || Entries is null || Entries.Count > MaxEntries)
            return $"logs {Seq} need a source and from 0 to {MaxEntries} entries";
        return Entries.Any(e => e is null || e.Message is null || e.SourceName is null || e.Fields is null || !Enum.IsDefined(e.Source) || !Enum.IsDefined(e.Level))
            ? $"logs {Seq} hold an entry without a message, source name or fields, or of an unknown source or level"
            : null;
    }
}

/// <summary>Agent → server: alive, and how full its outbox is.</summary>
public sealed record HeartbeatFrame(long Buffered, long Dropped) : ChannelFrame;

/// <summary>Agent → server: the answer to a <see cref="CommandFrame"/>; exactly one of <see cref="Result"/> and <see cref="Error"/>.</summary>
public sealed record ReplyFrame(long Id, JsonElement? Result, string? Error) : ChannelFrame;

/// <summary>Server → agent, first: the connection is accepted; sample at this interval.</summary>
public sealed record WelcomeFrame(int RefreshIntervalSeconds) : ChannelFrame;

/// <summary>Server → agent: these sequence numbers are stored (or were already); the outbox may let them go.</summary>
public sealed record AckFrame(IReadOnlyList<long> Seqs) : ChannelFrame;

/// <summary>The commands a server sends to an agent's host.</summary>
public enum CommandKind
{
    /// <summary>The process list (<see cref="CommandFrame.Sort"/>, <see cref="CommandFrame.Limit"/>, <see cref="CommandFrame.User"/>, <see cref="CommandFrame.Text"/>); replied with a <see cref="ProcessList"/>.</summary>
    Processes,

    /// <summary>One process's details (<see cref="CommandFrame.Pid"/>); replied with a <see cref="ProcessDetailsResult"/>.</summary>
    Process,

    /// <summary>A signal (<see cref="CommandFrame.Pid"/>, <see cref="CommandFrame.Signal"/>); replied with a <see cref="SignalProcessResult"/>.</summary>
    Signal,

    /// <summary>A new sample interval (<see cref="CommandFrame.Seconds"/>); replied with an empty result.</summary>
    Interval,
}

/// <summary>Server → agent: a command; the agent answers each with a <see cref="ReplyFrame"/> of the same id.</summary>
public sealed record CommandFrame(
    long Id, CommandKind Kind, int? Pid = null, int? Signal = null, ProcessSort? Sort = null, int? Limit = null, string? User = null, string? Text = null, int? Seconds = null) : ChannelFrame;

/// <summary>
/// Server → agent, last: why the server ends the connection, as an error code of the API (<c>AGENT_REVOKED</c>,
/// <c>AGENT_REMOVED</c>, <c>INVALID_FRAME</c>, ...). An agent that reads <c>AGENT_REVOKED</c> stops sending.
/// </summary>
public sealed record ClosingFrame(string Code, string Message) : ChannelFrame;
