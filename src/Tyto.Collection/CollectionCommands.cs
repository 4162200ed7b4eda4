using Akka.Actor;

namespace Tyto.Collection;

/// <summary>Asks a collector for its reading for one sampling round.</summary>
public sealed record CollectReading(long Round, DateTime At);

/// <summary>A collector's reading for one sampling round.</summary>
public sealed record CollectorReading(long Round, ISampleSection Section);

/// <summary>Changes how often the sampler assembles a sample; applied from the next tick.</summary>
public sealed record ChangeSampleInterval(TimeSpan Interval);

/// <summary>Asks the host for the details of one process.</summary>
public sealed record GetProcessDetails(int Pid) : ITytoMessage;

/// <summary>Details of a process, or null where no such process exists.</summary>
public sealed record ProcessDetailsResult(ProcessDetails? Details) : ITytoMessage;

/// <summary>Sends a signal to one process of the host.</summary>
public sealed record SignalProcess(int Pid, int Signal) : ITytoMessage;

public sealed record SignalProcessResult(SignalOutcome Outcome) : ITytoMessage;

/// <summary>How a process list is ordered: CPU and memory from the most, pid and name from the first.</summary>
public enum ProcessSort
{
    Cpu,
    Memory,
    Pid,
    Name,
}

/// <summary>Asks the host for its processes; <see cref="User"/> matches the user name, <see cref="Text"/> the name or command line.</summary>
public sealed record ListProcesses(ProcessSort Sort, int? Limit, string? User, string? Text) : ITytoMessage;

/// <summary>
/// The processes the host's last collection saw (<see cref="Total"/>), how many the filters matched, and the first
/// <c>limit</c> of those.
/// </summary>
public sealed record ProcessList(DateTime At, int Total, int Matched, IReadOnlyList<ProcessListing> Processes) : ITytoMessage;

/// <summary>A message about one monitored host, routed by its agent id (by cluster sharding on server nodes).</summary>
public interface IWithAgentId : ITytoMessage
{
    string AgentId { get; }
}

/// <summary>A host monitor announces itself: the host's agent id, the actor that answers for it, and what it runs on.</summary>
public sealed record RegisterHost(string AgentId, IActorRef Monitor, string Hostname, string Architecture) : IWithAgentId;
