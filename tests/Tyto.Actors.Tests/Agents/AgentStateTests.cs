using Akka.Actor;
using Tyto.Actors.Agents;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Agents;

public sealed class AgentStateTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    private static readonly RegisterHost Register = new("local", ActorRefs.Nobody, "host-a", "x86_64");

    [Fact]
    public void An_unknown_agent_is_named_after_its_id_and_not_registered()
    {
        var state = AgentState.Unknown("local");

        Assert.False(state.Registered);
        Assert.Equal("local", state.Name);
    }

    [Fact]
    public void Registering_the_local_host_records_it_as_linux()
    {
        var events = AgentState.Unknown("local").Decide(Register, Now);

        Assert.Equal([new AgentRegistered("local", "local", "host-a", "linux", "x86_64", Now)], events);
    }

    [Fact]
    public void Applying_the_registration_fills_the_state()
    {
        var state = AgentState.Unknown("local").Apply(new AgentRegistered("local", "local", "host-a", "linux", "x86_64", Now));

        Assert.Equal(new AgentState("local", true, "local", "host-a", "linux", "x86_64", Now), state);
    }

    [Fact]
    public void Registering_twice_yields_no_second_event()
    {
        var state = AgentState.Unknown("local");
        foreach (var e in state.Decide(Register, Now))
            state = state.Apply(e);

        Assert.Empty(state.Decide(Register with { Hostname = "host-a-renamed" }, Now.AddMinutes(5)));
        Assert.Equal("host-a", state.Hostname);
        Assert.Equal(Now, state.RegisteredAt);
    }
}
