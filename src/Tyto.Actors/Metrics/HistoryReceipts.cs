using System.Collections.Concurrent;
using Akka.Actor;

namespace Tyto.Actors.Metrics;

/// <summary>
/// What passes between this node's agent connections and its history writer. The writer tells whoever waits for a
/// sample when it has stored it (or found it stored already), so that an agent's sample is acknowledged only once it
/// is in the database: the samples a node takes with it when it dies are still in their agent's outbox, and go to the
/// next node. The connections count each agent's admissions, so the writer knows when an agent's samples may follow
/// ones another node stored meanwhile.
/// </summary>
public sealed class HistoryReceipts : IExtension
{
    private readonly ConcurrentDictionary<(string AgentId, long Timestamp), TaskCompletionSource> _waiting = new();
    private readonly ConcurrentDictionary<string, long> _connections = new(StringComparer.Ordinal);

    public static HistoryReceipts Get(ActorSystem system) => system.WithExtension<HistoryReceipts, HistoryReceiptsProvider>();

    /// <summary>
    /// Completes once the sample of <paramref name="agentId"/> taken at <paramref name="timestamp"/> is stored; ask before it
    /// can be. Whoever asks for the same sample shares the task (an agent's new connection resending what its old one sent).
    /// </summary>
    public Task WhenStored(string agentId, DateTime timestamp) =>
        _waiting.GetOrAdd((agentId, HistoryTime.ToUnixMs(timestamp)), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>A connection of <paramref name="agentId"/> was admitted on this node; its samples follow.</summary>
    public void Connected(string agentId) => _connections.AddOrUpdate(agentId, 1, (_, count) => count + 1);

    /// <summary>How many connections of <paramref name="agentId"/> this node has admitted.</summary>
    public long ConnectionsOf(string agentId) => _connections.GetValueOrDefault(agentId);

    /// <summary>The writer has stored <paramref name="points"/>: their tasks complete.</summary>
    public void Stored(IEnumerable<RawPoint> points)
    {
        if (_waiting.IsEmpty)
            return;
        foreach (var point in points)
        {
            if (_waiting.TryRemove((point.AgentId, HistoryTime.ToUnixMs(point.Timestamp)), out var waiting))
                waiting.TrySetResult();
        }
    }
}

public sealed class HistoryReceiptsProvider : ExtensionIdProvider<HistoryReceipts>
{
    public override HistoryReceipts CreateExtension(ExtendedActorSystem system) => new();
}
