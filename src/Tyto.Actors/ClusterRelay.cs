using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors;

/// <summary>
/// Carries what this node's producers put into a live stream to the live streams of every node: each element of the
/// local source is published on a distributed pub-sub topic, and what the topic delivers (this node's elements
/// included) runs into the live sink. Elements of one node arrive in the order they were published. Live consumers
/// must keep up: a subscriber whose node lags drops its oldest waiting elements, never slowing the producers. An actor
/// system that is not clustered (a test kit) connects the two streams directly.
/// </summary>
public static class ClusterRelay
{
    /// <summary>Elements waiting on a node for its live stream before the oldest are dropped.</summary>
    private const int SubscriberBuffer = 1024;

    public static void Connect<T>(ActorSystem system, string topic, Source<T, NotUsed> local, Sink<T, NotUsed> live)
    {
        var materializer = system.Materializer();
        if (((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider)
        {
            local.RunWith(live, materializer);
            return;
        }
        var mediator = DistributedPubSub.Get(system).Mediator;
        var subscriber = Source.ActorRef<T>(SubscriberBuffer, OverflowStrategy.DropHead).To(live).Run(materializer);
        // Nobody takes the acknowledgement: the subscription is in place before the first publish below reaches the mediator.
        mediator.Tell(new Subscribe(topic, subscriber), ActorRefs.Nobody);
        local.RunWith(Sink.ForEach<T>(element => mediator.Tell(new Publish(topic, element), ActorRefs.Nobody)), materializer);
    }
}
