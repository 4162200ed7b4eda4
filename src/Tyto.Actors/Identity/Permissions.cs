namespace Tyto.Actors.Identity;

/// <summary>
/// The catalogue of permissions, <c>resource:action</c> strings; a granted permission may use <c>*</c> for the
/// resource, the action, or alone for everything.
/// </summary>
public static class Permissions
{
    public const string All = "*";
    public const string DashboardView = "dashboard:view";
    public const string MetricsRead = "metrics:read";
    public const string HistoryRead = "history:read";
    public const string ProcessesRead = "processes:read";
    public const string ProcessesSignal = "processes:signal";
    public const string SettingsRead = "settings:read";
    public const string SettingsWrite = "settings:write";
    public const string AlertsRead = "alerts:read";
    public const string AlertsAcknowledge = "alerts:acknowledge";
    public const string AlertsConfigure = "alerts:configure";
    public const string AgentsRead = "agents:read";
    public const string AgentsWrite = "agents:write";
    public const string AgentsApprove = "agents:approve";
    public const string AgentsRevoke = "agents:revoke";
    public const string LogsRead = "logs:read";
    public const string UsersRead = "users:read";
    public const string UsersWrite = "users:write";
    public const string RolesRead = "roles:read";
    public const string RolesWrite = "roles:write";
    public const string AuditRead = "audit:read";

    /// <summary>Every permission an endpoint can require, with what it allows.</summary>
    public static readonly IReadOnlyDictionary<string, string> Catalogue = new Dictionary<string, string>
    {
        [DashboardView] = "Open the dashboard",
        [MetricsRead] = "Read live metrics, the stream and exports",
        [HistoryRead] = "Read and export metrics history",
        [ProcessesRead] = "Read process details",
        [ProcessesSignal] = "Send signals to processes",
        [SettingsRead] = "Read server settings",
        [SettingsWrite] = "Change server settings such as the refresh interval",
        [AlertsRead] = "Read alerts and their history",
        [AlertsAcknowledge] = "Acknowledge alerts",
        [AlertsConfigure] = "Change alert thresholds",
        [AgentsRead] = "Read agents",
        [AgentsWrite] = "Add and remove agents",
        [AgentsApprove] = "Approve or reject pending agents",
        [AgentsRevoke] = "Revoke agent certificates",
        [LogsRead] = "Read and search logs",
        [UsersRead] = "Read user accounts",
        [UsersWrite] = "Create, change, disable users and reset their passwords",
        [RolesRead] = "Read roles and the permission catalogue",
        [RolesWrite] = "Create, change and delete custom roles",
        [AuditRead] = "Read the audit log",
    };

    /// <summary>
    /// Whether a permission may be granted: a catalogue entry, <c>*</c>, or a wildcard whose fixed side names a
    /// resource or action that exists (<c>alerts:*</c>, <c>*:read</c>).
    /// </summary>
    public static bool IsGrantable(string permission)
    {
        if (permission == All || Catalogue.ContainsKey(permission))
            return true;
        var (resource, action) = Split(permission);
        if (resource.Length == 0 || action.Length == 0 || (resource == All && action == All))
            return false;
        return Catalogue.Keys.Any(p => Grants(permission, p));
    }

    /// <summary>Whether <paramref name="granted"/> (possibly with wildcards) covers <paramref name="required"/>.</summary>
    public static bool Grants(string granted, string required)
    {
        if (granted == All)
            return true;
        var (grantedResource, grantedAction) = Split(granted);
        var (requiredResource, requiredAction) = Split(required);
        return (grantedResource == All || grantedResource == requiredResource) &&
               (grantedAction == All || grantedAction == requiredAction);
    }

    public static bool AnyGrants(IEnumerable<string> granted, string required) => granted.Any(g => Grants(g, required));

    /// <summary>
    /// Those of <paramref name="wanted"/> that <paramref name="held"/> does not cover: what a holder may not grant. A
    /// wildcard is covered only by a grant at least as wide (<c>alerts:*</c> by <c>alerts:*</c> or <c>*</c>, not by every
    /// <c>alerts:</c> permission one by one), so that it cannot come to grant more when the catalogue grows.
    /// </summary>
    public static IReadOnlyList<string> NotCovered(IReadOnlyCollection<string> held, IEnumerable<string> wanted) =>
        wanted.Where(w => !AnyGrants(held, w)).Distinct(StringComparer.Ordinal).ToList();

    private static (string Resource, string Action) Split(string permission)
    {
        var colon = permission.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (permission, "") : (permission[..colon], permission[(colon + 1)..]);
    }
}

/// <summary>The roles every Tyto server has; they cannot be deleted or edited.</summary>
public static class SystemRoles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    private static readonly string[] ViewerPermissions =
    [
        Permissions.DashboardView, Permissions.MetricsRead, Permissions.HistoryRead, Permissions.AlertsRead,
        Permissions.AgentsRead, Permissions.LogsRead,
    ];

    public static bool IsSystem(string roleId) => All.Any(r => r.Id == roleId);

    public static readonly IReadOnlyList<RoleRecord> All =
    [
        Role(Admin, "Administrator", "Full system access", [Permissions.All]),
        Role(Operator, "Operator", "Views everything, acknowledges alerts, signals processes, approves and revokes agents, changes the refresh interval",
        [
            "*:read", Permissions.DashboardView, Permissions.AlertsAcknowledge, Permissions.ProcessesSignal,
            Permissions.AgentsApprove, Permissions.AgentsRevoke, Permissions.SettingsWrite,
        ]),
        Role(Viewer, "Viewer", "Read-only access to dashboards, metrics, history, alerts, agents and logs", ViewerPermissions),
    ];

    private static RoleRecord Role(string id, string name, string description, string[] permissions) =>
        new() { Id = id, Name = name, Description = description, Permissions = string.Join(',', permissions), IsSystem = true };
}
