using Akka.Actor;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Persistence;

public sealed class SingletonSubscriptionTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_parent_stays_subscribed_when_the_singleton_stops_and_while_it_backs_off()
    {
        var singleton = CreateTestProbe();
        var parent = CreateTestProbe();
        parent.ChildActorOf(SingletonSubscription.PropsFor(singleton.Ref, subscriber => new Subscribe(subscriber)));
        var first = CreateTestProbe();

        var subscriber = singleton.ExpectMsg<Subscribe>(Patience).Subscriber;
        first.Send(subscriber, "state 1");
        parent.ExpectMsg("state 1", Patience);

        // The incarnation that answered stops (a failed write): the subscription is made again.
        Sys.Stop(first.Ref);
        singleton.ExpectMsg<Subscribe>(Patience);
        // Backing off, the supervisor answers with a failure: it is tried again after a while.
        singleton.Reply(new Status.Failure(new StoreUnavailableException("backing off")));
        var again = singleton.ExpectMsg<Subscribe>(Patience).Subscriber;
        var second = CreateTestProbe();
        second.Send(again, "state 2");

        parent.ExpectMsg("state 2", Patience);
    }

    private sealed record Subscribe(IActorRef Subscriber);
}
