using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Actors.Collection;
using Tyto.Actors.Tests.Persistence;

namespace Tyto.Actors.Tests.Agents;

public sealed class AgentActorTests : SqliteTestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_registered_local_host_is_online_and_recovered_after_a_restart()
    {
        var monitor = CreateTestProbe();
        var before = DateTime.UtcNow;
        var first = Sys.ActorOf(Props.Create(() => new AgentActor("a1")));

        first.Tell(new RegisterLocalHost("a1", monitor.Ref, "host-a", "x86_64"));
        first.Tell(new GetAgent("a1"));

        var view = ExpectMsg<AgentLookup>(Patience).Agent;
        Assert.NotNull(view);
        Assert.Equal(new AgentView("a1", "a1", "host-a", "online", "x86_64", "linux", null, view.RegisteredAt), view);
        Assert.InRange(view.RegisteredAt, before, DateTime.UtcNow);

        // A second registration, as after the host monitor restarts, records nothing new.
        first.Tell(new RegisterLocalHost("a1", monitor.Ref, "host-a-renamed", "x86_64"));
        first.Tell(new GetAgent("a1"));
        Assert.Equal("host-a", ExpectMsg<AgentLookup>(Patience).Agent?.Hostname);
        Stop(first);

        var second = Sys.ActorOf(Props.Create(() => new AgentActor("a1")));
        second.Tell(new GetAgent("a1"));

        // Recovered from the journal; no monitor is attached to the new incarnation yet.
        Assert.Equal(view with { Status = "offline" }, ExpectMsg<AgentLookup>(Patience).Agent);
    }

    [Fact]
    public void An_agent_nobody_registered_is_not_found()
    {
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("ghost")));

        agent.Tell(new GetAgent("ghost"));

        Assert.Null(ExpectMsg<AgentLookup>(Patience).Agent);
    }

    [Fact]
    public void An_offline_host_cannot_take_process_commands()
    {
        var monitor = CreateTestProbe();
        var agent = Sys.ActorOf(Props.Create(() => new AgentActor("a2")));
        agent.Tell(new RegisterLocalHost("a2", monitor.Ref, "host-b", "aarch64"));

        agent.Tell(new QueryProcess("a2", 1234));
        monitor.ExpectMsg<GetProcessDetails>(m => m.Pid == 1234, Patience);

        Stop(monitor.Ref);
        AwaitAssert(() =>
        {
            agent.Tell(new GetAgent("a2"));
            Assert.Equal("offline", ExpectMsg<AgentLookup>(Patience).Agent?.Status);
        }, Patience);
        agent.Tell(new SendProcessSignal("a2", 1234, 15));

        ExpectMsg(new AgentUnavailable("a2", Known: true), Patience);
    }
}
