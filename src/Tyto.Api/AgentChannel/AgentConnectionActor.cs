using System.Text.Json;
using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Collection;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Api.AgentChannel;

/// <summary>What the connection actor needs of its WebSocket: a frame to send, or the end with a reason.</summary>
public interface IAgentChannel
{
    void Send(ChannelFrame frame);

    void Close(string code, string message);
}

/// <summary>
/// An agent's connection as its entity sees it, in place of a local host monitor: it turns the process queries and signals
/// the entity forwards into commands to the agent and answers each asker with the agent's reply (or, after
/// <see cref="CommandTimeout"/>, with <see cref="AgentUnavailable"/>); it welcomes the agent with the refresh interval and
/// sends every change of it; and it ends the connection when the entity says so.
/// </summary>
public sealed class AgentConnectionActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly string _agentId;
    private readonly IAgentChannel _channel;
    private readonly Dictionary<long, PendingCommand> _pending = [];
    private long _lastId;
    private int? _interval;

    public AgentConnectionActor(string agentId, IAgentChannel channel, IActorRef settings)
    {
        _agentId = agentId;
        _channel = channel;
        Receive<Admitted>(_ => Context.ActorOf(CollectionHosting.SettingsFeed(settings), "settings"));
        Receive<ChangeSampleInterval>(change =>
        {
            var seconds = (int)change.Interval.TotalSeconds;
            if (_interval is null)
                _channel.Send(new WelcomeFrame(seconds));
            else if (seconds != _interval)
                Command(null, null, id => new CommandFrame(id, CommandKind.Interval, Seconds: seconds));
            _interval = seconds;
        });
        Receive<GetProcessDetails>(query => Command(Sender, typeof(ProcessDetailsResult), id => new CommandFrame(id, CommandKind.Process, Pid: query.Pid)));
        Receive<ListProcesses>(query => Command(
            Sender, typeof(ProcessList), id => new CommandFrame(id, CommandKind.Processes, Sort: query.Sort, Limit: query.Limit, User: query.User, Text: query.Text)));
        Receive<SignalProcess>(signal => Command(Sender, typeof(SignalProcessResult), id => new CommandFrame(id, CommandKind.Signal, Pid: signal.Pid, Signal: signal.Signal)));
        Receive<ReplyFrame>(reply =>
        {
            if (!_pending.Remove(reply.Id, out var pending))
                return;
            Timers.Cancel(reply.Id);
            pending.Asker?.Tell(Result(pending.ResultType, reply));
        });
        Receive<CommandTimedOut>(timedOut =>
        {
            if (_pending.Remove(timedOut.Id, out var pending))
                pending.Asker?.Tell(new AgentUnavailable(_agentId, Known: true));
        });
        Receive<CloseAgentConnection>(close => _channel.Close(close.Code, close.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(string agentId, IAgentChannel channel, IActorRef settings) =>
        Props.Create(() => new AgentConnectionActor(agentId, channel, settings));

    /// <summary>The connection is admitted: from now on it follows the refresh interval, starting with the welcome.</summary>
    public sealed record Admitted
    {
        public static readonly Admitted Instance = new();
    }

    protected override void PostStop()
    {
        // The connection is gone: nobody waits for a reply that cannot come.
        foreach (var pending in _pending.Values)
            pending.Asker?.Tell(new AgentUnavailable(_agentId, Known: true));
        base.PostStop();
    }

    private void Command(IActorRef? asker, Type? resultType, Func<long, CommandFrame> frame)
    {
        var id = ++_lastId;
        _pending[id] = new PendingCommand(asker, resultType);
        Timers.StartSingleTimer(id, new CommandTimedOut(id), CommandTimeout);
        _channel.Send(frame(id));
    }

    /// <summary>The reply as the asker expects it; an error, or a result that is not one, leaves the agent unable to answer.</summary>
    private object Result(Type? resultType, ReplyFrame reply)
    {
        if (resultType is null || reply.Error is not null || reply.Result is not { } result)
            return new AgentUnavailable(_agentId, Known: true);
        try
        {
            return result.Deserialize(resultType, AgentWire.Json) ?? new AgentUnavailable(_agentId, Known: true);
        }
        catch (JsonException)
        {
            return new AgentUnavailable(_agentId, Known: true);
        }
    }

    private sealed record PendingCommand(IActorRef? Asker, Type? ResultType);

    private sealed record CommandTimedOut(long Id);
}
