using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Tests.Persistence;

namespace Tyto.Actors.Tests.Agents;

public sealed class AgentDirectoryTests : SqliteTestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public void The_directory_follows_the_journal_for_ids_pending_requests_and_revoked_serials()
    {
        using var authority = CertificateAuthority.LoadOrCreate(Directory.CreateTempSubdirectory("tyto-ca-").FullName, TimeProvider.System);
        var enrollment = new AgentEnrollment(authority.SignAgent, _ => false);
        var directory = AgentDirectory.Get(Sys);
        var waiting = Sys.ActorOf(Props.Create(() => new AgentActor("waiting", null, enrollment)));
        var revoked = Sys.ActorOf(Props.Create(() => new AgentActor("revoked", null, enrollment)));
        var removed = Sys.ActorOf(Props.Create(() => new AgentActor("removed", null, enrollment)));
        var rejected = Sys.ActorOf(Props.Create(() => new AgentActor("rejected", null, enrollment)));
        foreach (var (agent, id) in new[] { (waiting, "waiting"), (revoked, "revoked"), (removed, "removed"), (rejected, "rejected") })
        {
            agent.Tell(new RequestEnrollment(id, id, "host", "linux", "x86_64", Csr(), null, "secret-hash"));
            Assert.True(ExpectMsg<EnrollmentReply>(Patience).Pending);
        }
        AwaitAssert(() => Assert.Equal(4, directory.PendingCount(DateTime.UtcNow)), Patience);

        var revokedSerial = Approve(revoked, "revoked");
        revoked.Tell(new RevokeAgent("revoked", "alice"));
        ExpectMsg<AgentReply>(Patience);
        var removedSerial = Approve(removed, "removed");
        removed.Tell(new RemoveAgent("removed", "alice"));
        ExpectMsg<AgentReply>(Patience);
        rejected.Tell(new RejectAgent("rejected", "alice"));
        ExpectMsg<AgentReply>(Patience);

        AwaitAssert(() =>
        {
            var now = DateTime.UtcNow;
            Assert.Equal(["revoked", "waiting"], directory.AgentIds(now));
            Assert.Equal(["waiting"], directory.PendingIds(now));
            Assert.Equal(1, directory.PendingCount(now));
            Assert.True(directory.IsRevoked(revokedSerial));
            Assert.True(directory.IsRevoked(removedSerial));
        }, Patience);
        Assert.Equal(0, directory.PendingCount(DateTime.UtcNow + AgentState.PendingLifetime));
    }

    private string Approve(IActorRef agent, string agentId)
    {
        agent.Tell(new ApproveAgent(agentId, "alice"));
        return ExpectMsg<AgentReply>(Patience).Agent!.Certificate!.Serial;
    }

    private static string Csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
