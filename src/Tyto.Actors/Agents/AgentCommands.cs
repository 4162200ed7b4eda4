using Akka.Actor;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;
using Tyto.Actors.Metrics;

namespace Tyto.Actors.Agents;

/// <summary>A message routed by cluster sharding to the <see cref="AgentActor"/> of one agent.</summary>
public interface IWithAgentId
{
    string AgentId { get; }
}

/// <summary>Registers a host monitored by this server node itself, approved from the start, and attaches its monitor.</summary>
public sealed record RegisterLocalHost(string AgentId, IActorRef Monitor, string Hostname, string Architecture) : IWithAgentId;

/// <summary>Records the latest sample of an agent (kept in memory only).</summary>
public sealed record RecordSample(string AgentId, MetricsSample Sample) : IWithAgentId;

/// <summary>Asks for an agent's description; the answer is an <see cref="AgentLookup"/>.</summary>
public sealed record GetAgent(string AgentId) : IWithAgentId;

/// <summary>Asks for the latest sample of an agent; the answer is a <see cref="LatestSample"/>.</summary>
public sealed record GetLatestSample(string AgentId) : IWithAgentId;

/// <summary>Asks an agent's host for one process's details; the answer is a <see cref="ProcessDetailsResult"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record QueryProcess(string AgentId, int Pid) : IWithAgentId;

/// <summary>Asks an agent's host for its process list; the answer is a <see cref="ProcessList"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record QueryProcesses(string AgentId, ListProcesses Query) : IWithAgentId;

/// <summary>Sends a signal to a process of an agent's host; the answer is a <see cref="SignalProcessResult"/> or <see cref="AgentUnavailable"/>.</summary>
public sealed record SendProcessSignal(string AgentId, int Pid, int Signal) : IWithAgentId;

/// <summary>Acknowledges an alert of one of the agent's rules; the answer is an <see cref="Alerts.AcknowledgeResult"/>.</summary>
public sealed record AcknowledgeAgentAlert(string AgentId, string AlertId, AlertType Type, string? Mount, string By) : IWithAgentId;

/// <summary>An agent as clients see it; null <see cref="Agent"/> where no such agent exists.</summary>
public sealed record AgentLookup(AgentView? Agent);

public sealed record AgentView(
    string Id, string Name, string Hostname, string Status, string Architecture, string Os, DateTime? LastSeen, DateTime RegisteredAt);

public sealed record LatestSample(MetricsSample? Sample);

/// <summary>The agent exists but cannot take commands now (unknown, or its host is not connected).</summary>
public sealed record AgentUnavailable(string AgentId, bool Known);
