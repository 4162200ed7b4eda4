namespace Tyto.Actors.Agents;

/// <summary>An event in an agent's lifecycle; tagged <c>agent</c> in the journal.</summary>
public interface IAgentEvent : ITytoEvent
{
    DateTime At { get; }
}

/// <summary>An agent became known and approved.</summary>
public sealed record AgentRegistered(string AgentId, string Name, string Hostname, string Os, string Architecture, DateTime At) : IAgentEvent;
