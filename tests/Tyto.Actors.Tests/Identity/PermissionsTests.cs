using Tyto.Actors.Identity;

namespace Tyto.Actors.Tests.Identity;

public sealed class PermissionsTests
{
    [Theory]
    [InlineData("alerts:*", "alerts:acknowledge", true)]
    [InlineData("alerts:*", "alerts:read", true)]
    [InlineData("alerts:*", "agents:read", false)]
    [InlineData("*:read", "metrics:read", true)]
    [InlineData("*:read", "agents:read", true)]
    [InlineData("*:read", "processes:signal", false)]
    [InlineData("*:read", "dashboard:view", false)]
    [InlineData("*", "processes:signal", true)]
    [InlineData("*", "users:write", true)]
    [InlineData("metrics:read", "metrics:read", true)]
    [InlineData("metrics:read", "metrics:write", false)]
    [InlineData("metrics:read", "history:read", false)]
    [InlineData("alerts", "alerts:read", false)]
    public void Granted_permission_covers_the_required_one(string granted, string required, bool expected)
    {
        Assert.Equal(expected, Permissions.Grants(granted, required));
    }

    [Fact]
    public void Any_of_several_grants_is_enough()
    {
        Assert.True(Permissions.AnyGrants(["metrics:read", "alerts:*"], Permissions.AlertsConfigure));
        Assert.False(Permissions.AnyGrants(["metrics:read", "alerts:*"], Permissions.ProcessesSignal));
        Assert.False(Permissions.AnyGrants([], Permissions.DashboardView));
    }
}
