using Tyto.Collection;

namespace Tyto.Actors.Agents;

/// <summary>The persisted lifecycle of an agent.</summary>
public sealed record AgentState(string AgentId, bool Registered, string Name, string Hostname, string Os, string Architecture, DateTime RegisteredAt) : ITytoSnapshot
{
    public static AgentState Unknown(string agentId) => new(agentId, false, agentId, "", "", "", DateTime.MinValue);

    public AgentState Apply(IAgentEvent @event) => @event switch
    {
        AgentRegistered r => this with
        {
            Registered = true,
            Name = r.Name,
            Hostname = r.Hostname,
            Os = r.Os,
            Architecture = r.Architecture,
            RegisteredAt = r.At,
        },
        _ => this,
    };

    /// <summary>Registering the local host: once only; a known agent produces nothing.</summary>
    public IReadOnlyList<IAgentEvent> Decide(RegisterHost command, DateTime now) =>
        Registered ? [] : [new AgentRegistered(command.AgentId, command.AgentId, command.Hostname, "linux", command.Architecture, now)];
}
