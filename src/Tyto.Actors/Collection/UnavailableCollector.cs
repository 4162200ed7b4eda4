using Tyto.Actors.Metrics;

namespace Tyto.Actors.Collection;

/// <summary>A collector whose source Tyto does not read yet; it reports the section as unavailable.</summary>
public sealed class UnavailableCollector(string name, ISampleSection unavailable) : ICollector
{
    public string Name => name;

    public ISampleSection Collect(DateTime at) => unavailable;
}
