using Akka.Actor;

namespace Tyto.Collection;

/// <summary>
/// Keeps its parent subscribed to a singleton's state across the singleton's restarts and hand-overs, since each
/// new incarnation starts without subscribers: it subscribes itself, hands every state to its parent, watches the
/// incarnation that sent it, and subscribes again when that one stops (retrying while the singleton is backing off).
/// </summary>
public sealed class SingletonSubscription : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private IActorRef? _source;

    public SingletonSubscription(IActorRef singleton, Func<IActorRef, object> subscribe, Func<object, object> translate)
    {
        Receive<Subscribe>(_ => singleton.Tell(subscribe(Self)));
        Receive<Status.Failure>(_ => Timers.StartSingleTimer(Subscribe.Instance, Subscribe.Instance, RetryDelay));
        Receive<Terminated>(terminated => terminated.ActorRef.Equals(_source), _ =>
        {
            _source = null;
            Self.Tell(Subscribe.Instance);
        });
        ReceiveAny(state =>
        {
            if (!Sender.Equals(_source))
            {
                if (_source is not null)
                    Context.Unwatch(_source);
                _source = Sender;
                Context.Watch(_source);
            }
            Context.Parent.Tell(translate(state));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(IActorRef singleton, Func<IActorRef, object> subscribe, Func<object, object>? translate = null) =>
        Props.Create(() => new SingletonSubscription(singleton, subscribe, translate ?? (state => state)));

    protected override void PreStart() => Self.Tell(Subscribe.Instance);

    private sealed record Subscribe
    {
        public static readonly Subscribe Instance = new();
    }
}
