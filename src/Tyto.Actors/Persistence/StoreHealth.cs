using System.Runtime.Serialization;
using Akka.Actor;

namespace Tyto.Actors.Persistence;

/// <summary>A write to the database failed (a full disk, a lock held too long): the change was not made, and may be tried again later.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>
    /// Makes the exception again where a <see cref="Status.Failure"/> holding it arrives from another node: Akka's
    /// remoting rebuilds exceptions through this constructor, and without it the asker there would get no cause.
    /// </summary>
    [Obsolete("Only for Akka's remote exception serialization.")]
    public StoreUnavailableException(SerializationInfo info, StreamingContext context)
        : base(info, context)
    {
    }
}

/// <summary>
/// How the node's database is doing, as its writers find it: every failed write marks it failing (since the first
/// failure), the next write that succeeds marks it healthy again. The history writer writes every few seconds, so
/// it notices a returning disk even when nothing else writes.
/// </summary>
public sealed class StoreHealth : IExtension
{
    private readonly Lock _lock = new();
    private DateTime? _failingSince;

    /// <summary>When writes began to fail, or null while they succeed.</summary>
    public DateTime? FailingSince
    {
        get
        {
            lock (_lock)
                return _failingSince;
        }
    }

    public void WriteFailed(DateTime at)
    {
        lock (_lock)
            _failingSince ??= at;
    }

    public void WriteSucceeded()
    {
        lock (_lock)
            _failingSince = null;
    }

    public static StoreHealth Get(ActorSystem system) => system.WithExtension<StoreHealth, StoreHealthProvider>();
}

public sealed class StoreHealthProvider : ExtensionIdProvider<StoreHealth>
{
    public override StoreHealth CreateExtension(ExtendedActorSystem system) => new();
}
