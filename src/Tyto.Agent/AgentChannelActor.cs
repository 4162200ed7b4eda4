using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Tyto.Collection;
using Tyto.Collection.Channel;
using Tyto.Collection.Logs;

namespace Tyto.Agent;

/// <summary>
/// The agent's side of the channel: every sample of the host monitor, and every batch its log sources read (with the
/// source's position), goes into the <see cref="Outbox"/> first, then to the server over an <see cref="AgentSocket"/>:
/// the newest at once, the backlog oldest first at a bounded rate beside them, never more than
/// <see cref="AgentWire.Window"/> unacknowledged. Acknowledged samples and logs leave the outbox; a lost
/// connection sends again what was not acknowledged, to the next server, after a growing wait. Commands from the
/// server go to the host monitor, and each is answered. Revoked, the agent stops sending and the process ends.
/// </summary>
public sealed partial class AgentChannelActor : ReceiveActor, IWithTimers
{
    /// <summary>How often the backlog sends its next samples, and how many each time: about 50 samples a second.</summary>
    public static readonly TimeSpan BacklogTick = TimeSpan.FromMilliseconds(250);

    public const int BacklogPerTick = 12;

    /// <summary>The longest the host monitor may take to answer a command of the server.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private static readonly string Version = typeof(AgentChannelActor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly AgentChannelSettings _settings;
    private readonly ILogger _logger;
    private readonly HashSet<long> _unacknowledged = [];
    private readonly HashSet<IActorRef> _intervalSubscribers = [];
    private readonly ReconnectDelay _delay = new();
    private Outbox _outbox = null!;
    private IActorRef _monitor = ActorRefs.Nobody;
    private string _hostname = Environment.MachineName;
    private string _architecture = SystemCollector.Architecture(RuntimeInformation.OSArchitecture);
    private TimeSpan _interval;
    private AgentSocket? _socket;
    private bool _welcomed;
    private bool _reported;
    private long _backlogCursor;
    private int _attempt;

    public AgentChannelActor(AgentChannelSettings settings, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        _interval = settings.InitialInterval;

        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<StreamDone>(_ => { });
        ReceiveAsync<MetricsSample>(async sample =>
        {
            var frame = _outbox.Append(sample);
            Sender.Tell(StreamAck.Instance);
            await SendNewAsync([frame]);
        });
        ReceiveAsync<AppendLogs>(async append =>
        {
            var frames = _outbox.Append(append.Source, append.Read.Entries, append.Read.Position);
            Sender.Tell(LogsAppended.Instance);
            await SendNewAsync(frames);
        });
        Receive<GetLogPosition>(get => Sender.Tell(new LogPosition(_outbox.Position(get.Source))));
        Receive<RegisterHost>(register =>
        {
            _monitor = register.Monitor;
            _hostname = register.Hostname;
            _architecture = register.Architecture;
        });
        Receive<SubscribeInterval>(subscribe =>
        {
            _intervalSubscribers.Add(subscribe.Subscriber);
            subscribe.Subscriber.Tell(new ChangeSampleInterval(_interval));
        });
        Receive<Connect>(_ => StartConnecting());
        ReceiveAsync<Connected>(OnConnectedAsync);
        Receive<ConnectFailed>(failed =>
        {
            if (failed.Reason is ChannelRefusedException refused)
                Revoked(refused.Message);
            else
                Lost(failed.Server, failed.Reason.Message);
        });
        ReceiveAsync<FrameReceived>(received => received.Socket == _socket, received => OnFrameAsync(received.Frame));
        Receive<FrameReceived>(_ => { });
        ReceiveAsync<CommandAnswered>(answered => answered.Socket == _socket, answered => SendAsync(answered.Reply));
        Receive<CommandAnswered>(_ => { });
        Receive<ChannelLost>(lost => lost.Socket == _socket, lost =>
        {
            if (lost.Closing is { Code: "AGENT_REVOKED" or "AGENT_REMOVED" } closing)
                Revoked(closing.Message);
            else
                Lost(lost.Socket.Server, lost.Closing?.Message ?? "the connection ended");
        });
        Receive<ChannelLost>(_ => { });
        // Frames in flight wait for the server to store them (about a second): what the agent reports is its backlog.
        ReceiveAsync<Heartbeat>(_ => SendAsync(new HeartbeatFrame(_outbox.Buffered - _unacknowledged.Count, _outbox.Dropped)));
        ReceiveAsync<BacklogDue>(_ => SendBacklogAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(AgentChannelSettings settings, ILogger logger) => Props.Create(() => new AgentChannelActor(settings, logger));

    protected override void PreStart()
    {
        _outbox = Outbox.Open(_settings.Files.OutboxPath, _settings.OutboxMaxBytes);
        Self.Tell(Connect.Instance);
    }

    protected override void PostStop()
    {
        _socket?.Dispose();
        _outbox.Dispose();
    }

    private void StartConnecting()
    {
        var server = new Uri(_settings.Servers[_attempt++ % _settings.Servers.Count]);
        AgentSocket.ConnectAsync(server, _settings.Files, _settings.Trust, CancellationToken.None)
            .PipeTo(Self, success: socket => new Connected(socket), failure: e => new ConnectFailed(server, e));
    }

    private async Task OnConnectedAsync(Connected connected)
    {
        var socket = connected.Socket;
        _socket = socket;
        var self = Self;
        _ = socket.ReadUntilClosedAsync(frame => self.Tell(new FrameReceived(socket, frame)))
            .PipeTo(self, success: closing => new ChannelLost(socket, closing));
        await SendAsync(new HelloFrame(
            _settings.AgentId, Version, _hostname, "linux", _architecture, _outbox.Buffered, _outbox.Dropped, _outbox.OldestTimestamp));
    }

    private async Task OnFrameAsync(ChannelFrame frame)
    {
        switch (frame)
        {
            case WelcomeFrame welcome:
                _welcomed = true;
                _reported = false;
                _delay.Reset();
                _backlogCursor = 0;
                LogConnected(_logger, _socket!.Server);
                ChangeInterval(TimeSpan.FromSeconds(welcome.RefreshIntervalSeconds));
                Timers.StartPeriodicTimer(Heartbeat.Instance, Heartbeat.Instance, AgentWire.HeartbeatInterval);
                await SendBacklogAsync();
                break;
            case AckFrame ack:
                _outbox.Acknowledge(ack.Seqs);
                _unacknowledged.ExceptWith(ack.Seqs);
                break;
            case CommandFrame command:
                Answer(command);
                break;
        }
    }

    /// <summary>Sends the next oldest samples and logs not in flight, up to <see cref="BacklogPerTick"/>; ticks again while any are left.</summary>
    private async Task SendBacklogAsync()
    {
        if (!_welcomed)
            return;
        var budget = BacklogPerTick;
        var candidates = _outbox.Buffered > _unacknowledged.Count ? _outbox.Oldest(BacklogPerTick + _unacknowledged.Count, _backlogCursor) : [];
        foreach (var candidate in candidates)
        {
            if (_unacknowledged.Contains(candidate.Seq))
            {
                _backlogCursor = candidate.Seq;
                continue;
            }
            if (budget == 0 || _unacknowledged.Count >= AgentWire.Window)
                break;
            if (!await SendOutboxAsync(candidate))
                return;
            _backlogCursor = candidate.Seq;
            budget--;
        }
        if (_outbox.Buffered > _unacknowledged.Count)
            StartBacklog();
        else
            Timers.Cancel(BacklogDue.Instance);
    }

    private void StartBacklog()
    {
        if (!Timers.IsTimerActive(BacklogDue.Instance))
            Timers.StartPeriodicTimer(BacklogDue.Instance, BacklogDue.Instance, BacklogTick);
    }

    /// <summary>Sends what was just appended to the outbox while the window allows; the rest waits for the backlog.</summary>
    private async Task SendNewAsync(IReadOnlyList<OutboxFrame> frames)
    {
        if (!_welcomed)
            return;
        foreach (var frame in frames)
        {
            if (_unacknowledged.Count >= AgentWire.Window)
            {
                StartBacklog();
                return;
            }
            if (!await SendOutboxAsync(frame))
                return;
        }
    }

    private async Task<bool> SendOutboxAsync(OutboxFrame frame)
    {
        _unacknowledged.Add(frame.Seq);
        return await SendAsync(frame);
    }

    /// <summary>Sends a frame on the current connection; a failed send leaves it to the reader to report the loss.</summary>
    private async Task<bool> SendAsync(ChannelFrame frame) => _socket is { } socket && await socket.SendAsync(frame);

    private void Answer(CommandFrame command)
    {
        var socket = _socket!;
        Task<object?> result = command switch
        {
            { Kind: CommandKind.Processes } => AskMonitorAsync<ProcessList>(new ListProcesses(command.Sort ?? ProcessSort.Cpu, command.Limit, command.User, command.Text)),
            { Kind: CommandKind.Process, Pid: { } pid } => AskMonitorAsync<ProcessDetailsResult>(new GetProcessDetails(pid)),
            { Kind: CommandKind.Signal, Pid: { } pid, Signal: { } signal } => AskMonitorAsync<SignalProcessResult>(new SignalProcess(pid, signal)),
            { Kind: CommandKind.Interval, Seconds: >= 1 and <= 3600 and var seconds } => Task.FromResult<object?>(ChangeInterval(TimeSpan.FromSeconds(seconds))),
            _ => Task.FromException<object?>(new ArgumentException($"the {command.Kind} command lacks a value it needs or has one out of range")),
        };
        result.PipeTo(Self,
            success: value => new CommandAnswered(socket, new ReplyFrame(command.Id, JsonSerializer.SerializeToElement(value, AgentWire.Json), null)),
            failure: e => new CommandAnswered(socket, new ReplyFrame(command.Id, null, (e.InnerException ?? e).Message)));
    }

    private async Task<object?> AskMonitorAsync<T>(object message) => await _monitor.Ask<T>(message, CommandTimeout);

    private object? ChangeInterval(TimeSpan interval)
    {
        _interval = interval;
        foreach (var subscriber in _intervalSubscribers)
            subscriber.Tell(new ChangeSampleInterval(interval));
        return null;
    }

    private void Lost(Uri server, string reason)
    {
        Disconnect();
        if (!_reported)
            LogBuffering(_logger, _outbox.Buffered, server, reason);
        _reported = true;
        // The next server is tried a second later; the wait grows only once every server has failed in a row, so an
        // agent whose node went away reaches another one at once.
        var delay = _attempt % _settings.Servers.Count == 0 ? _delay.Next() : ReconnectDelay.First;
        Timers.StartSingleTimer(Connect.Instance, Connect.Instance, delay);
    }

    private void Revoked(string reason)
    {
        Disconnect();
        LogRevoked(_logger, reason);
        _settings.OnRevoked();
    }

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
        _welcomed = false;
        _unacknowledged.Clear();
        Timers.Cancel(Heartbeat.Instance);
        Timers.Cancel(BacklogDue.Instance);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "connected to {Server}")]
    private static partial void LogConnected(ILogger logger, Uri server);

    [LoggerMessage(Level = LogLevel.Information, Message = "buffering {Buffered} samples and log chunks (server unreachable: {Server}: {Reason})")]
    private static partial void LogBuffering(ILogger logger, long buffered, Uri server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "revoked: {Reason}; this agent sends nothing more")]
    private static partial void LogRevoked(ILogger logger, string reason);

    private sealed record Connect
    {
        public static readonly Connect Instance = new();
    }

    private sealed record Connected(AgentSocket Socket);

    private sealed record ConnectFailed(Uri Server, Exception Reason);

    private sealed record FrameReceived(AgentSocket Socket, ChannelFrame Frame);

    private sealed record CommandAnswered(AgentSocket Socket, ReplyFrame Reply);

    private sealed record ChannelLost(AgentSocket Socket, ClosingFrame? Closing);

    private sealed record Heartbeat
    {
        public static readonly Heartbeat Instance = new();
    }

    private sealed record BacklogDue
    {
        public static readonly BacklogDue Instance = new();
    }
}

/// <summary>What the channel needs: who the agent is, its servers in order, its files and trust, its outbox bound, and what to do when revoked.</summary>
public sealed record AgentChannelSettings(
    string AgentId, IReadOnlyList<string> Servers, AgentFiles Files, ServerTrust Trust, long OutboxMaxBytes, TimeSpan InitialInterval, Action OnRevoked);

/// <summary>A log source of the agent's host read <paramref name="Read"/>: the outbox keeps it, answered with <see cref="LogsAppended"/>.</summary>
public sealed record AppendLogs(string Source, LogsRead Read);

/// <summary>The outbox kept a log source's batch and position.</summary>
public sealed record LogsAppended
{
    public static readonly LogsAppended Instance = new();
}

/// <summary>A log source of the agent's host asks where it resumes: answered with a <see cref="LogPosition"/>.</summary>
public sealed record GetLogPosition(string Source);

/// <summary>The position the outbox kept for a log source; null when it kept none.</summary>
public sealed record LogPosition(string? Position);

/// <summary>The host monitor's settings feed asks for the sample interval the server sets; it gets a <see cref="ChangeSampleInterval"/> now and at each change.</summary>
public sealed record SubscribeInterval(IActorRef Subscriber);

/// <summary>The host monitor's sample stream starts: answered with a <see cref="StreamAck"/>.</summary>
public sealed record StreamInit
{
    public static readonly StreamInit Instance = new();
}

/// <summary>The channel took the last sample (or the start): the stream may send the next.</summary>
public sealed record StreamAck
{
    public static readonly StreamAck Instance = new();
}

/// <summary>The host monitor's sample stream ended, with a failure or without.</summary>
public sealed record StreamDone
{
    public static readonly StreamDone Instance = new();
}
