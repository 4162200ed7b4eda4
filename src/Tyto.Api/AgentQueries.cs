using Akka.Actor;
using Akka.Hosting;
using Tyto.Actors.Agents;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>Asks the agents shard region, from the edge only, always bounded in time.</summary>
public static class Agents
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static async Task<AgentView?> FindAsync(IRequiredActor<AgentRegion> agents, string agentId, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(agentId) ? null : (await agents.ActorRef.Ask<AgentLookup>(new GetAgent(agentId), AskTimeout, cancellationToken)).Agent;

    /// <summary>Asks the agent <paramref name="message"/> names; a blank id names no agent, and no entity may have it.</summary>
    public static Task<object> AskAsync(IRequiredActor<AgentRegion> agents, IWithAgentId message, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(message.AgentId)
            ? Task.FromResult<object>(new AgentUnavailable(message.AgentId, Known: false))
            : agents.ActorRef.Ask<object>(message, AskTimeout, cancellationToken);

    /// <summary>Asks the agent <paramref name="message"/> names for an answer of type <typeparamref name="T"/>.</summary>
    public static Task<T> AskAsync<T>(IRequiredActor<AgentRegion> agents, IWithAgentId message, CancellationToken cancellationToken) =>
        agents.ActorRef.Ask<T>(message, AskTimeout, cancellationToken);

    /// <summary>The agents with these ids as their entities see them now, in the same order; those gone since are left out.</summary>
    public static async Task<IReadOnlyList<AgentView>> ViewsAsync(IRequiredActor<AgentRegion> agents, IEnumerable<string> agentIds, CancellationToken cancellationToken)
    {
        var lookups = await Task.WhenAll(agentIds.Select(id => agents.ActorRef.Ask<AgentLookup>(new GetAgent(id), AskTimeout, cancellationToken)));
        return [.. lookups.Select(l => l.Agent).OfType<AgentView>()];
    }
}
