using System.Text.Json.Serialization;

namespace Tyto.Collection;

/// <summary>One section of a <see cref="MetricsSample"/>, produced by one collector.</summary>
public interface ISampleSection;

/// <summary>Everything known about one host at one instant: the Metrics Structure of API.md.</summary>
public sealed record MetricsSample(
    string AgentId,
    DateTime Timestamp,
    SystemSection System,
    CpuSection Cpu,
    MemorySection Memory,
    DiskSection Disk,
    NetworkSection Network,
    ProcessesSection Processes,
    TemperatureSection Temperature,
    GpuSection Gpu,
    DockerSection Docker,
    SystemdSection Systemd) : ITytoMessage
{
    /// <summary>A sample with every section empty, to be filled by <see cref="With"/>.</summary>
    public static MetricsSample Empty(string agentId, DateTime timestamp) => new(
        agentId, timestamp, SystemSection.Unknown, CpuSection.Empty, MemorySection.Empty, DiskSection.Empty,
        NetworkSection.Empty, ProcessesSection.Empty, TemperatureSection.Empty, GpuSection.Unavailable,
        DockerSection.Unavailable, SystemdSection.Unavailable);

    public MetricsSample With(ISampleSection section) => section switch
    {
        SystemSection s => this with { System = s },
        CpuSection s => this with { Cpu = s },
        MemorySection s => this with { Memory = s },
        DiskSection s => this with { Disk = s },
        NetworkSection s => this with { Network = s },
        ProcessesSection s => this with { Processes = s },
        TemperatureSection s => this with { Temperature = s },
        GpuSection s => this with { Gpu = s },
        DockerSection s => this with { Docker = s },
        SystemdSection s => this with { Systemd = s },
        _ => throw new ArgumentException($"Unknown sample section {section.GetType().Name}", nameof(section)),
    };
}

public sealed record SystemSection(string Hostname, string Kernel, long Uptime, string Architecture) : ISampleSection
{
    public static readonly SystemSection Unknown = new("", "", 0, "");
}

public sealed record CpuSection(IReadOnlyList<CpuCore> Cores, double TotalUsage, LoadAverage LoadAverage) : ISampleSection
{
    public static readonly CpuSection Empty = new([], 0, new LoadAverage(0, 0, 0));
}

public sealed record CpuCore(int Id, double Usage, int Frequency);

public sealed record LoadAverage(double One, double Five, double Fifteen);

public sealed record MemorySection(
    long Total, long Used, long Free, long Available, long Buffers, long Cached, long SwapTotal, long SwapUsed) : ISampleSection
{
    public static readonly MemorySection Empty = new(0, 0, 0, 0, 0, 0, 0, 0);
}

public sealed record DiskSection(IReadOnlyList<MountUsage> Mounts, IReadOnlyList<DiskIo> Io) : ISampleSection
{
    public static readonly DiskSection Empty = new([], []);
}

public sealed record MountUsage(string Device, string Mountpoint, string Fstype, long Total, long Used, long Free);

public sealed record DiskIo(string Device, long ReadBytes, long WriteBytes, double ReadRate, double WriteRate);

public sealed record NetworkSection(IReadOnlyList<NetworkInterfaceSample> Interfaces, int ConnectionCount) : ISampleSection
{
    public static readonly NetworkSection Empty = new([], 0);
}

public sealed record NetworkInterfaceSample(
    string Name, string? Ipv4, string? Ipv6, long RxBytes, long TxBytes, double RxRate, double TxRate);

public sealed record ProcessesSection(
    IReadOnlyList<ProcessSample> TopByCpu, IReadOnlyList<ProcessSample> TopByMemory, int Total) : ISampleSection
{
    public static readonly ProcessesSection Empty = new([], [], 0);
}

public sealed record ProcessSample(int Pid, string Name, string User, double Cpu, long Memory);

public sealed record TemperatureSection(IReadOnlyList<TemperatureSensor> Sensors) : ISampleSection
{
    public static readonly TemperatureSection Empty = new([]);
}

public sealed record TemperatureSensor(string Name, double Value, double? High, double? Critical);

/// <summary>The host's GPUs; <see cref="Reason"/> says why none can be read when <see cref="Available"/> is false.</summary>
public sealed record GpuSection(
    bool Available,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GpuSample>? Gpus,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null) : ISampleSection
{
    public static readonly GpuSection Unavailable = new(false, null);
}

/// <summary>One GPU; a value the driver does not report (<c>[N/A]</c>, no sysfs file) is null.</summary>
public sealed record GpuSample(
    int Index, string Name, string Vendor, double? Utilization, long? MemoryUsed, long? MemoryTotal, double? Temperature, double? PowerWatts);

/// <summary>The host's containers; <see cref="Reason"/> says why the engine cannot be read when <see cref="Available"/> is false.</summary>
public sealed record DockerSection(
    bool Available,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ContainerSample>? Containers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null) : ISampleSection
{
    public static readonly DockerSection Unavailable = new(false, null);
}

public sealed record ContainerSample(string Id, string Name, string Image, string Status, double Cpu, long Memory);

/// <summary>The host's services; <see cref="Reason"/> says why systemd cannot be read when <see cref="Available"/> is false.</summary>
public sealed record SystemdSection(
    bool Available,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ServiceSample>? Services,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null) : ISampleSection
{
    public static readonly SystemdSection Unavailable = new(false, null);
}

public sealed record ServiceSample(string Name, string State, string SubState, string Description);
