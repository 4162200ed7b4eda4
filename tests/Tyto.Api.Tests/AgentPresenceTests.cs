using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests;
using Tyto.Collection;
using Tyto.Host;

namespace Tyto.Api.Tests;

/// <summary>
/// A known agent's entity keeps its host link through quiet times: a refresh interval longer than sharding's idle timeout
/// must not leave the local host or an agent offline. The server node is composed as in production, with the idle timeout cut to a second.
/// </summary>
public sealed class AgentPresenceTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Known_agents_keep_their_host_link_through_a_quiet_time_longer_than_the_idle_timeout()
    {
        var dataDir = TytoHost.NewDataDir();
        var options = new TytoOptions { DataDir = dataDir, Collection = { Interval = 3600 } };
        var database = new TytoDatabase(dataDir);
        database.EnsureCreated();
        using var authority = CertificateAuthority.LoadOrCreate(dataDir, TimeProvider.System);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HistoryStore>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddAkka(AkkaComposition.SystemName, (akka, _) => akka
            .ConfigureServerNode(options, database, authority, NullLoggerFactory.Instance)
            .AddHocon($"akka.cluster.sharding.passivate-idle-entity-after = {IdleTimeout.TotalSeconds}s", HoconAddMode.Prepend));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var region = host.Services.GetRequiredService<IRequiredActor<AgentRegion>>().ActorRef;
            await Poll.UntilAsync(
                async () => (await region.Ask<AgentLookup>(new GetAgent("local"), AskTimeout)).Agent?.Status == "online", "the local host registers");
            var connection = system.ActorOf(Props.Create(() => new ConnectionStandIn()));
            var serial = await EnrollAsync(region, "quiet-agent");
            var admitted = await region.Ask<AgentReply>(new AdmitConnection("quiet-agent", serial, connection, "1.0.0", 5, 2, new HashSet<long>()), AskTimeout);
            Assert.Equal("online", admitted.Agent?.Status);

            // Nothing reaches either entity for three idle timeouts (the next sample is an hour away); both must stay all along.
            var quietUntil = DateTime.UtcNow + (3 * IdleTimeout);
            await Poll.UntilAsync(
                async () =>
                {
                    Assert.Superset(new HashSet<string> { "local", "quiet-agent" }, (await EntitiesAsync(region)).ToHashSet());
                    return DateTime.UtcNow >= quietUntil;
                },
                "a quiet time of three idle timeouts");

            // Still the same incarnations: the agent's outbox counts live in memory only.
            var agent = (await region.Ask<AgentLookup>(new GetAgent("quiet-agent"), AskTimeout)).Agent;
            Assert.Equal(("online", 5L, 2L), (agent?.Status, agent?.Buffered, agent?.Dropped));
            Assert.Equal(1234, (await region.Ask<GetProcessDetails>(new QueryProcess("quiet-agent", 1234), AskTimeout)).Pid);
            var answer = await region.Ask<object>(new QueryProcesses("local", new ListProcesses(ProcessSort.Pid, 1, null, null)), AskTimeout);
            Assert.IsType<ProcessList>(answer);
        }
        finally
        {
            await host.StopAsync();
            TytoHost.DeleteDataDir(dataDir);
        }
    }

    /// <summary>Pre-registers an agent and enrolls it with its token, as the agent endpoint would; returns its certificate's serial.</summary>
    private static async Task<string> EnrollAsync(IActorRef region, string agentId)
    {
        var token = EnrollmentSecrets.NewToken();
        await region.Ask<AgentReply>(new PreRegisterAgent(agentId, agentId, EnrollmentSecrets.Hash(token), DateTime.UtcNow.AddHours(1), "test"), AskTimeout);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var reply = await region.Ask<EnrollmentReply>(new RequestEnrollment(agentId, agentId, "quiet-host", "linux", "x86_64", csr, EnrollmentSecrets.Hash(token), null), AskTimeout);
        using var certificate = X509Certificate2.CreateFromPem(reply.Certificate);
        return certificate.SerialNumber;
    }

    /// <summary>Stands in for an agent's channel connection: answers a process query with the query itself.</summary>
    private sealed class ConnectionStandIn : ReceiveActor
    {
        public ConnectionStandIn() => Receive<GetProcessDetails>(query => Sender.Tell(query));
    }

    /// <summary>The entities the region runs now; asking the region does not count as a message to them.</summary>
    private static async Task<IReadOnlyList<string>> EntitiesAsync(IActorRef region)
    {
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout);
        return [.. state.Shards.SelectMany(s => s.EntityIds)];
    }
}
