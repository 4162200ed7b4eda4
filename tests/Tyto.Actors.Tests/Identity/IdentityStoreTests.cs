using Tyto.Actors.Identity;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Identity;

/// <summary>The identity store on a database of its own, created as the server creates it; run on each provider.</summary>
public abstract class IdentityStoreTests : IDisposable
{
    private readonly TestDatabase _database;
    private readonly IdentityStore _store;

    protected IdentityStoreTests(string provider)
    {
        _database = new TestDatabase(provider, "tyto-identity-");
        _store = new IdentityStore(_database.Database, TimeProvider.System);
    }

    [Fact]
    public async Task A_role_change_does_not_wait_for_registrations_hashing_their_passwords()
    {
        await _store.SeedAsync("seed-admin-password");
        var adminId = (await _store.ListUsersAsync()).Single().Id;

        // Each registration on a thread of its own, as parallel requests: more of them than there are cores, so that
        // hashing every password takes a while, during which the lock that account and role changes share must stay free.
        var count = 4 * Environment.ProcessorCount;
        using var started = new CountdownEvent(count);
        var registrations = Enumerable.Range(0, count)
            .Select(i => Task.Factory.StartNew(
                () =>
                {
                    started.Signal();
                    return _store.RegisterAsync($"newcomer-{i}", "newcomer-password", null);
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToList();
        await Poll.UntilAsync(() => started.IsSet, "every registration started");

        var (role, failure) = await Task.Run(() => _store.CreateRoleAsync(adminId, new RoleDefinition("Night Shift", null, [Permissions.MetricsRead])));
        var registeredMeanwhile = registrations.Count(r => r.IsCompleted);

        Assert.Null(failure);
        Assert.Equal("night-shift", role!.Id);
        Assert.Equal(0, registeredMeanwhile);
        Assert.All(await Task.WhenAll(registrations), r => Assert.Null(r.Failure));
        Assert.Equal(count + 1, (await _store.ListUsersAsync()).Count);
    }

    [Fact]
    public async Task Two_nodes_disabling_the_last_two_administrators_at_once_leave_one()
    {
        await _store.SeedAsync("seed-admin-password");
        var first = (await _store.ListUsersAsync()).Single().Id;
        var (second, failure) = await _store.CreateUserAsync(first, new NewUser("second-admin", "second-admin-password", null, [SystemRoles.Admin]));
        Assert.Null(failure);
        using var otherNode = new IdentityStore(_database.Database, TimeProvider.System);

        // Each administrator disables the other, through a store of its own on the shared database, as two nodes would.
        // Whichever comes second finds itself disabled, or the other gone: refused either way.
        var outcomes = await Task.WhenAll(
            Task.Run(() => _store.DisableUserAsync(first, second!.Id)),
            Task.Run(() => otherNode.DisableUserAsync(second!.Id, first)));

        Assert.Single(outcomes, o => o is null);
        var left = Assert.Single(await _store.ListUsersAsync(), u => !u.Disabled);
        Assert.Contains(SystemRoles.Admin, left.Roles);
    }

    public void Dispose()
    {
        _store.Dispose();
        _database.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class IdentityStoreTestsOnSqlite() : IdentityStoreTests(TytoDatabase.Sqlite);

public sealed class IdentityStoreTestsOnPostgres() : IdentityStoreTests(TytoDatabase.Postgres);
