using Tyto.Api.Tests;

namespace Tyto.Web.Tests;

/// <summary>Tests that each get a real host of their own, started with <see cref="Settings"/> before the test and deleted after it.</summary>
public abstract class HostPerTest : IAsyncLifetime
{
    protected TytoHost Host { get; private set; } = null!;

    /// <summary>A client signed in as <c>admin</c>, for what a test sets up or checks through the API.</summary>
    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>Settings beyond those every test host gets (see <see cref="TytoHost"/>).</summary>
    protected virtual string[] Settings => [];

    public virtual async Task InitializeAsync()
    {
        Host = await TytoHost.StartAsync(null, Settings);
        Admin = await Host.LoginAsync();
    }

    public virtual async Task DisposeAsync()
    {
        Admin.Dispose();
        var dataDir = Host.DataDir;
        await Host.DisposeAsync();
        TytoHost.DeleteDataDir(dataDir);
    }
}
