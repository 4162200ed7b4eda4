using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;
using Tyto.Api.Auth;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>
/// <c>GET /metrics</c>: the newest sample of every agent in the Prometheus text exposition format, so an
/// existing Prometheus can scrape Tyto. Agents silent for longer than Prometheus' own staleness window are left out.
/// </summary>
public static class PrometheusApi
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Prometheus marks a series stale after five minutes without a sample; so does the scrape.</summary>
    public static readonly TimeSpan Staleness = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapPrometheusApi(this IEndpointRouteBuilder app, bool allowAnonymous)
    {
        var scrape = app.MapGet("/metrics", Scrape).RequirePermission(Permissions.MetricsRead).WithName("PrometheusMetrics").Produces<string>(200, "text/plain");
        if (allowAnonymous)
            scrape.AllowAnonymous();
        return app;
    }

    private static async Task<ContentHttpResult> Scrape(LatestSamples latest, TimeProvider clock, ActorSystem system, IRequiredActor<AgentRegion> agents)
    {
        var samples = PrometheusExposition.Write((IReadOnlyList<MetricsSample>)latest.Since(clock.GetUtcNow().UtcDateTime - Staleness));
        var region = await agents.GetAsync();
        var cluster = PrometheusExposition.WriteCluster(ClusterStatus.Health(system), await ClusterStatus.ShardsAsync(region), await ClusterStatus.LocalEntitiesAsync(region));
        return TypedResults.Text(samples + cluster, ContentType);
    }
}

/// <summary>
/// Writes samples as Prometheus text exposition (format 0.0.4): each metric family once, with its HELP and
/// TYPE, followed by its series for every agent.
/// </summary>
public static class PrometheusExposition
{
    private sealed record Family(string Name, string Type, string Help, Func<MetricsSample, IEnumerable<(string Labels, double Value)>> Series);

    private static readonly Family[] Families =
    [
        Gauge("tyto_sample_timestamp_seconds", "Time of the agent's newest sample, Unix seconds", s => One(HistoryTime.ToUnixMs(s.Timestamp) / 1000.0)),
        Gauge("tyto_system_info", "Host identity; always 1", s => [(Labels(("hostname", s.System.Hostname), ("kernel", s.System.Kernel), ("architecture", s.System.Architecture)), 1)]),
        Gauge("tyto_system_uptime_seconds", "Seconds since the host booted", s => One(s.System.Uptime)),
        Gauge("tyto_cpu_usage_percent", "Usage of one CPU core, %", s => s.Cpu.Cores.Select(c => (Labels(("core", Id(c.Id))), c.Usage))),
        Gauge("tyto_cpu_frequency_mhz", "Current frequency of one CPU core, MHz", s => s.Cpu.Cores.Select(c => (Labels(("core", Id(c.Id))), (double)c.Frequency))),
        Gauge("tyto_cpu_total_usage_percent", "Usage of all CPU cores together, %", s => One(s.Cpu.TotalUsage)),
        Gauge("tyto_load1", "Load average over 1 minute", s => One(s.Cpu.LoadAverage.One)),
        Gauge("tyto_load5", "Load average over 5 minutes", s => One(s.Cpu.LoadAverage.Five)),
        Gauge("tyto_load15", "Load average over 15 minutes", s => One(s.Cpu.LoadAverage.Fifteen)),
        Gauge("tyto_memory_total_bytes", "Physical memory", s => One(s.Memory.Total)),
        Gauge("tyto_memory_used_bytes", "Memory in use (total minus available)", s => One(s.Memory.Used)),
        Gauge("tyto_memory_free_bytes", "Memory not used at all", s => One(s.Memory.Free)),
        Gauge("tyto_memory_available_bytes", "Memory available to new work without swapping", s => One(s.Memory.Available)),
        Gauge("tyto_memory_buffers_bytes", "Memory in kernel buffers", s => One(s.Memory.Buffers)),
        Gauge("tyto_memory_cached_bytes", "Memory in the page cache", s => One(s.Memory.Cached)),
        Gauge("tyto_swap_total_bytes", "Swap space", s => One(s.Memory.SwapTotal)),
        Gauge("tyto_swap_used_bytes", "Swap in use", s => One(s.Memory.SwapUsed)),
        Gauge("tyto_disk_total_bytes", "Size of a mounted filesystem", s => s.Disk.Mounts.Select(m => (MountLabels(m), (double)m.Total))),
        Gauge("tyto_disk_used_bytes", "Space used on a mounted filesystem", s => s.Disk.Mounts.Select(m => (MountLabels(m), (double)m.Used))),
        Gauge("tyto_disk_free_bytes", "Space free on a mounted filesystem", s => s.Disk.Mounts.Select(m => (MountLabels(m), (double)m.Free))),
        Counter("tyto_disk_read_bytes_total", "Bytes read from a disk since boot", s => s.Disk.Io.Select(d => (Labels(("device", d.Device)), (double)d.ReadBytes))),
        Counter("tyto_disk_written_bytes_total", "Bytes written to a disk since boot", s => s.Disk.Io.Select(d => (Labels(("device", d.Device)), (double)d.WriteBytes))),
        Gauge("tyto_disk_read_bytes_per_second", "Bytes read from a disk per second over the last interval", s => s.Disk.Io.Select(d => (Labels(("device", d.Device)), d.ReadRate))),
        Gauge("tyto_disk_written_bytes_per_second", "Bytes written to a disk per second over the last interval", s => s.Disk.Io.Select(d => (Labels(("device", d.Device)), d.WriteRate))),
        Counter("tyto_network_receive_bytes_total", "Bytes received by an interface", s => s.Network.Interfaces.Select(i => (Labels(("interface", i.Name)), (double)i.RxBytes))),
        Counter("tyto_network_transmit_bytes_total", "Bytes sent by an interface", s => s.Network.Interfaces.Select(i => (Labels(("interface", i.Name)), (double)i.TxBytes))),
        Gauge("tyto_network_receive_bytes_per_second", "Bytes received by an interface per second over the last interval", s => s.Network.Interfaces.Select(i => (Labels(("interface", i.Name)), i.RxRate))),
        Gauge("tyto_network_transmit_bytes_per_second", "Bytes sent by an interface per second over the last interval", s => s.Network.Interfaces.Select(i => (Labels(("interface", i.Name)), i.TxRate))),
        Gauge("tyto_network_connections", "Established TCP connections", s => One(s.Network.ConnectionCount)),
        Gauge("tyto_processes", "Processes running on the host", s => One(s.Processes.Total)),
        Gauge("tyto_temperature_celsius", "Temperature of a sensor, degrees Celsius", s => s.Temperature.Sensors.Select(t => (Labels(("sensor", t.Name)), t.Value))),
        Gauge("tyto_gpu_utilization_percent", "Utilization of a GPU, %", s => Gpus(s).Where(g => g.Utilization is not null).Select(g => (GpuLabels(g), g.Utilization!.Value))),
        Gauge("tyto_gpu_memory_used_bytes", "GPU memory in use", s => Gpus(s).Where(g => g.MemoryUsed is not null).Select(g => (GpuLabels(g), (double)g.MemoryUsed!.Value))),
        Gauge("tyto_gpu_memory_total_bytes", "GPU memory", s => Gpus(s).Where(g => g.MemoryTotal is not null).Select(g => (GpuLabels(g), (double)g.MemoryTotal!.Value))),
        Gauge("tyto_gpu_temperature_celsius", "Temperature of a GPU, degrees Celsius", s => Gpus(s).Where(g => g.Temperature is not null).Select(g => (GpuLabels(g), g.Temperature!.Value))),
        Gauge("tyto_gpu_power_watts", "Power drawn by a GPU, watts", s => Gpus(s).Where(g => g.PowerWatts is not null).Select(g => (GpuLabels(g), g.PowerWatts!.Value))),
        Gauge("tyto_container_info", "A container and its status; always 1", s => Containers(s).Select(c => (ContainerLabels(c, ("status", c.Status)), 1.0))),
        Gauge("tyto_container_cpu_percent", "CPU used by a container, % of one core", s => Containers(s).Select(c => (ContainerLabels(c), c.Cpu))),
        Gauge("tyto_container_memory_bytes", "Memory used by a container", s => Containers(s).Select(c => (ContainerLabels(c), (double)c.Memory))),
        Gauge("tyto_systemd_unit_active", "1 when a service unit is active, else 0",
            s => (s.Systemd.Services ?? []).Select(u => (Labels(("unit", u.Name), ("state", u.State), ("sub_state", u.SubState)), u.State == "active" ? 1.0 : 0.0))),
    ];

    public static string Write(IReadOnlyList<MetricsSample> samples)
    {
        var text = new StringBuilder();
        foreach (var family in Families)
        {
            var lines = samples.SelectMany(s => family.Series(s).Select(series => (s.AgentId, series.Labels, series.Value))).ToList();
            if (lines.Count == 0)
                continue;
            text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var (agentId, labels, value) in lines)
            {
                text.Append(family.Name).Append("{agent_id=\"").Append(EscapeLabel(agentId)).Append('"').Append(labels).Append("} ")
                    .Append(Format(value)).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The cluster as this node sees it: members by status, those unreachable, each node's shards and agent entities,
    /// and which agents' entities run on this node.
    /// </summary>
    public static string WriteCluster(ClusterHealth health, IReadOnlyList<NodeShards> shards, IReadOnlyList<string> localEntities)
    {
        var text = new StringBuilder();
        void Header(string name, string help) =>
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n");
        Header("tyto_cluster_members", "Members of the cluster this node knows, by status");
        foreach (var status in health.Members.GroupBy(m => m.Status).OrderBy(g => g.Key, StringComparer.Ordinal))
            text.Append("tyto_cluster_members{status=\"").Append(EscapeLabel(status.Key)).Append("\"} ").Append(Format(status.Count())).Append('\n');
        Header("tyto_cluster_unreachable_members", "Members this node cannot reach now");
        text.Append("tyto_cluster_unreachable_members ").Append(Format(health.Members.Count(m => !m.Reachable))).Append('\n');
        Header("tyto_cluster_shards", "Agent shards hosted by a node");
        foreach (var node in shards)
            text.Append("tyto_cluster_shards{node=\"").Append(EscapeLabel(node.Node)).Append("\"} ").Append(Format(node.Shards)).Append('\n');
        Header("tyto_cluster_agent_entities", "Agent entities running on a node");
        foreach (var node in shards)
            text.Append("tyto_cluster_agent_entities{node=\"").Append(EscapeLabel(node.Node)).Append("\"} ").Append(Format(node.Entities)).Append('\n');
        Header("tyto_cluster_local_agent_entity", "An agent whose entity runs on this node; always 1");
        foreach (var agentId in localEntities)
            text.Append("tyto_cluster_local_agent_entity{agent_id=\"").Append(EscapeLabel(agentId)).Append("\"} 1\n");
        return text.ToString();
    }

    private static Family Gauge(string name, string help, Func<MetricsSample, IEnumerable<(string, double)>> series) => new(name, "gauge", help, series);

    private static Family Counter(string name, string help, Func<MetricsSample, IEnumerable<(string, double)>> series) => new(name, "counter", help, series);

    private static IEnumerable<(string, double)> One(double value) => [("", value)];

    /// <summary>Further labels after <c>agent_id</c>, each written as <c>,name="value"</c>.</summary>
    private static string Labels(params (string Name, string Value)[] labels) =>
        string.Concat(labels.Select(l => $",{l.Name}=\"{EscapeLabel(l.Value)}\""));

    private static string MountLabels(MountUsage mount) => Labels(("device", mount.Device), ("mountpoint", mount.Mountpoint), ("fstype", mount.Fstype));

    private static IReadOnlyList<GpuSample> Gpus(MetricsSample sample) => sample.Gpu.Gpus ?? [];

    private static string GpuLabels(GpuSample gpu) => Labels(("gpu", Id(gpu.Index)), ("name", gpu.Name), ("vendor", gpu.Vendor));

    private static IReadOnlyList<ContainerSample> Containers(MetricsSample sample) => sample.Docker.Containers ?? [];

    private static string ContainerLabels(ContainerSample container, params (string, string)[] more) =>
        Labels([("id", container.Id), ("name", container.Name), ("image", container.Image), .. more]);

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Format(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
