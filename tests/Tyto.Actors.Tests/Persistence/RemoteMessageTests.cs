using Akka.Actor;
using Akka.Configuration;
using Tyto.Actors.Agents;

namespace Tyto.Actors.Tests.Persistence;

/// <summary>
/// Two actor systems joined by real remoting on loopback, both refusing Akka's default serializer: what an agent's
/// connection on one node asks its entity on the other, and what the entity answers and tells the connection, gets
/// across through Tyto's message serializer, actor references included.
/// </summary>
public sealed class RemoteMessageTests() : Akka.TestKit.Xunit2.TestKit(Config)
{
    private static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
        }
        """).WithFallback(SqliteTestKit.SerializationConfig);

    [Fact]
    public async Task An_offer_crosses_to_the_entity_node_and_both_its_answers_come_back()
    {
        var other = ActorSystem.Create("other", Config);
        try
        {
            other.ActorOf(Props.Create(() => new RevokedEntity()), "entity");
            var path = new RootActorPath(((ExtendedActorSystem)other).Provider.DefaultAddress) / "user" / "entity";
            var entity = await Sys.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(10));
            var connection = CreateTestProbe();

            entity.Tell(new OfferSample("a1", connection.Ref, 7, new DateTime(2026, 11, 27, 1, 50, 12, DateTimeKind.Utc)), TestActor);

            Assert.Equal(new SampleVerdict(7, false, "AGENT_REVOKED"), ExpectMsg<SampleVerdict>(TimeSpan.FromSeconds(10)));
            Assert.Equal("AGENT_REVOKED", connection.ExpectMsg<CloseAgentConnection>(TimeSpan.FromSeconds(10)).Code);
        }
        finally
        {
            await other.Terminate();
        }
    }

    /// <summary>Answers an offer as the entity of a revoked agent does: the sample is refused and the connection told to close.</summary>
    private sealed class RevokedEntity : ReceiveActor
    {
        public RevokedEntity() =>
            Receive<OfferSample>(offer =>
            {
                offer.Connection.Tell(new CloseAgentConnection("AGENT_REVOKED", "Agent 'a1' may not send"));
                Sender.Tell(new SampleVerdict(offer.Seq, false, "AGENT_REVOKED"));
            });
    }
}
