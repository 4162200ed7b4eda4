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

    [Theory]
    [InlineData("*", true)]
    [InlineData("alerts:acknowledge", true)]
    [InlineData("alerts:*", true)]
    [InlineData("*:read", true)]
    [InlineData("alerts:explode", false)]
    [InlineData("wizards:*", false)]
    [InlineData("*:explode", false)]
    [InlineData("*:*", false)]
    [InlineData("alerts", false)]
    [InlineData("alerts:", false)]
    [InlineData("", false)]
    public void Only_catalogue_permissions_and_wildcards_that_match_one_are_grantable(string permission, bool expected)
    {
        Assert.Equal(expected, Permissions.IsGrantable(permission));
    }

    [Fact]
    public void Operator_views_everything_and_viewer_only_reads()
    {
        var roles = SystemRoles.All.ToDictionary(r => r.Id);
        Assert.All(Permissions.Catalogue.Keys.Where(p => p.EndsWith(":read", StringComparison.Ordinal)),
            p => Assert.True(Permissions.AnyGrants(roles[SystemRoles.Operator].PermissionList, p), p));
        Assert.True(Permissions.AnyGrants(roles[SystemRoles.Operator].PermissionList, Permissions.AlertsAcknowledge));
        Assert.False(Permissions.AnyGrants(roles[SystemRoles.Operator].PermissionList, Permissions.UsersWrite));
        Assert.All(roles[SystemRoles.Viewer].PermissionList, p => Assert.True(p.EndsWith(":read", StringComparison.Ordinal) || p == Permissions.DashboardView, p));
        Assert.All(SystemRoles.All.SelectMany(r => r.PermissionList), p => Assert.True(Permissions.IsGrantable(p), p));
    }
}
