using Tyto.Actors.Metrics;

namespace Tyto.Actors.Collection;

/// <summary>Asks a collector for its reading for one sampling round.</summary>
public sealed record CollectReading(long Round, DateTime At);

/// <summary>A collector's reading for one sampling round.</summary>
public sealed record CollectorReading(long Round, ISampleSection Section);

/// <summary>Changes how often the sampler assembles a sample; applied from the next tick.</summary>
public sealed record ChangeSampleInterval(TimeSpan Interval);

/// <summary>Asks the host for the details of one process.</summary>
public sealed record GetProcessDetails(int Pid);

/// <summary>Details of a process, or null where no such process exists.</summary>
public sealed record ProcessDetailsResult(ProcessDetails? Details);

/// <summary>Sends a signal to one process of the host.</summary>
public sealed record SignalProcess(int Pid, int Signal);

public sealed record SignalProcessResult(SignalOutcome Outcome);
