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
    [InlineData("users:read,users:write", "users:read", "")]
    [InlineData("users:read,users:write", "*", "*")]
    [InlineData("users:read,users:write", "users:*", "users:*")]
    [InlineData("users:read,users:write", "dashboard:view,users:write,metrics:read", "dashboard:view,metrics:read")]
    [InlineData("users:*", "users:read,users:write,users:*", "")]
    [InlineData("*:read", "alerts:read,*:read", "")]
    [InlineData("*:read", "*:write,alerts:*", "*:write,alerts:*")]
    [InlineData("alerts:read,alerts:acknowledge,alerts:configure", "alerts:*", "alerts:*")]
    [InlineData("*", "*,alerts:*,*:read,users:write", "")]
    [InlineData("", "metrics:read", "metrics:read")]
    public void A_holder_covers_only_what_its_grants_are_at_least_as_wide_as(string held, string wanted, string notCovered)
    {
        Assert.Equal(List(notCovered), Permissions.NotCovered(List(held), List(wanted)));
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

    private static List<string> List(string commaSeparated) => [.. commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
