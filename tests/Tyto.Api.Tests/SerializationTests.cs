using System.Runtime.Serialization;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;
using Tyto.Collection;
using Tyto.Collection.Channel;
using Tyto.Host;

namespace Tyto.Api.Tests;

/// <summary>A server node serializes what may cross nodes with Tyto's serializers, and nothing with Akka's default one.</summary>
[Collection(SharedHostGroup.Name)]
public sealed class SerializationTests(SharedHost shared)
{
    [Fact]
    public void A_server_node_binds_tyto_messages_events_and_snapshots_to_tyto_serializers()
    {
        var serialization = shared.Host.App.Services.GetRequiredService<ActorSystem>().Serialization;

        Assert.IsType<TytoMessageSerializer>(serialization.FindSerializerFor(new GetAgent("local")));
        Assert.IsType<TytoMessageSerializer>(serialization.FindSerializerFor(new CloseAgentConnection("REPLACED", "Another connection replaced this one")));
        Assert.IsType<TytoSerializer>(serialization.FindSerializerFor(AlertThresholds.Default));
        Assert.IsType<TytoSerializer>(serialization.FindSerializerFor(new AlertResolved("local:cpu:1", 12.5, DateTime.UtcNow)));
    }

    [Fact]
    public void A_server_node_refuses_a_type_no_serializer_is_bound_to()
    {
        var serialization = shared.Host.App.Services.GetRequiredService<ActorSystem>().Serialization;

        Assert.Throws<SerializationException>(() => serialization.FindSerializerFor(new Unbound("local")));
    }

    [Fact]
    public void The_largest_messages_fit_in_a_remoting_frame()
    {
        var system = (ExtendedActorSystem)shared.Host.App.Services.GetRequiredService<ActorSystem>();
        var frame = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");
        var from = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var admission = new AdmitConnection(
            "local", "4F2A01", ActorRefs.Nobody, "1.2.0", 0, 0, Enumerable.Range(0, AgentActor.MaxRememberedSamples).Select(i => from + 1000L * i).ToHashSet());

        Assert.True(new TytoMessageSerializer(system).ToBinary(admission).Length < frame, "an admission with as many stored timestamps as an entity remembers is over the frame size");
        // A sample or process list an agent sent in one frame, with room for its longer property names here.
        Assert.True(2 * AgentWire.MaxFrameBytes <= frame, "an agent's largest frame does not fit");
    }

    [Fact]
    public void Every_message_type_of_the_server_has_a_manifest()
    {
        var messageTypes = new[] { typeof(ITytoMessage), typeof(AgentActor), typeof(TytoApi), typeof(TytoServer) }
            .SelectMany(t => t.Assembly.GetTypes())
            .Where(t => typeof(ITytoMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });

        Assert.All(messageTypes, t => Assert.Contains(t, TytoMessageSerializer.Manifests.Values));
    }

    private sealed record Unbound(string AgentId);
}
