using Akka.Actor;
using Akka.Pattern;
using Akka.Persistence;

namespace Tyto.Actors.Persistence;

/// <summary>
/// An event-sourced actor whose failed writes are answered instead of left to time out: whoever waits for the
/// events gets a <see cref="Status.Failure"/> with a <see cref="StoreUnavailableException"/> at once, and
/// <see cref="StoreHealth"/> learns of it. Akka stops the actor when a write fails; run it under
/// <see cref="PropsWithBackoff"/>, which starts it again, recovered from the journal.
/// </summary>
public abstract class TytoPersistentActor : ReceivePersistentActor
{
    public static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly StoreHealth _health = StoreHealth.Get(Context.System);
    private IActorRef _waiting = ActorRefs.Nobody;

    /// <summary>
    /// <paramref name="props"/> under a supervisor that starts the actor again with backoff whenever it stops (a
    /// failed write stops it), and meanwhile answers every message with the failure a failed write answers.
    /// </summary>
    public static Props PropsWithBackoff(Props props, string name) => BackoffSupervisor.Props(
        Backoff.OnStop(props, name, MinBackoff, MaxBackoff, 0.2, -1)
            .WithReplyWhileStopped(Unavailable(null)));

    /// <summary>Persists <paramref name="events"/>; <paramref name="requester"/> is told if they cannot be written.</summary>
    protected void PersistAllFor<TEvent>(IActorRef requester, IEnumerable<TEvent> events, Action<TEvent> handler)
    {
        _waiting = requester;
        PersistAll(events, e =>
        {
            _health.WriteSucceeded();
            handler(e);
        });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Refuse(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Refuse(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void Refuse(Exception cause)
    {
        _health.WriteFailed(DateTime.UtcNow);
        _waiting.Tell(Unavailable(cause));
        _waiting = ActorRefs.Nobody;
    }

    private static Status.Failure Unavailable(Exception? cause) =>
        new(new StoreUnavailableException("The database cannot take the change now; try again later", cause));
}
