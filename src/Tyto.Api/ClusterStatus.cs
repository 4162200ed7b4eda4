using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;

namespace Tyto.Api;

/// <summary>A member of the cluster as <c>GET /health</c> shows it: its address, status and whether this node reaches it.</summary>
public sealed record ClusterPeer(string Node, string Status, bool Reachable);

/// <summary>This node in its cluster: its address and status, the leader, and every member this node knows.</summary>
public sealed record ClusterHealth(string Node, string Status, string? Leader, IReadOnlyList<ClusterPeer> Members);

/// <summary>The shards and agent entities one node hosts.</summary>
public sealed record NodeShards(string Node, int Shards, int Entities);

/// <summary>The cluster as this node sees it now, for health and metrics.</summary>
public static class ClusterStatus
{
    /// <summary>How long a scrape waits for every node's shard counts.</summary>
    public static readonly TimeSpan ShardStatsTimeout = TimeSpan.FromSeconds(3);

    public static ClusterHealth Health(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new ClusterHealth(
            cluster.SelfAddress.ToString(),
            StatusName(cluster.SelfMember.Status),
            state.Leader?.ToString(),
            [.. state.Members.Select(m => new ClusterPeer(m.Address.ToString(), StatusName(m.Status), !unreachable.Contains(m.Address)))]);
    }

    /// <summary>Every node's shards of <paramref name="region"/>, asked of each node; a node that does not answer in time is left out.</summary>
    public static async Task<IReadOnlyList<NodeShards>> ShardsAsync(IActorRef region)
    {
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(ShardStatsTimeout), ShardStatsTimeout + TimeSpan.FromSeconds(1));
        return [.. stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => new NodeShards(r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum()))];
    }

    /// <summary>The agents whose entities run on this node, asked of this node's region alone.</summary>
    public static async Task<IReadOnlyList<string>> LocalEntitiesAsync(IActorRef region)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, ShardStatsTimeout);
        return [.. state.Shards.SelectMany(s => s.EntityIds).Order(StringComparer.Ordinal)];
    }

    private static string StatusName(MemberStatus status) => status.ToString().ToLowerInvariant();
}
