using LinqToDB;
using LinqToDB.Async;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Identity;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Identity;

/// <summary>The audit log on a database of its own, created as the server creates it; run on each provider.</summary>
public abstract class AuditLogTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TestDatabase _test;
    private readonly AuditLog _audit;

    protected AuditLogTests(string provider)
    {
        _test = new TestDatabase(provider, "tyto-audit-");
        _audit = new AuditLog(_test.Database);
    }

    [Fact]
    public async Task Stored_strings_are_cut_to_their_columns()
    {
        var huge = new string('x', 100_000);
        await _audit.WriteAsync(new AuditRecord { At = Start, Username = huge, Action = "POST " + huge, Target = huge, Status = 200, Outcome = "success", ClientAddress = huge });

        var row = Assert.Single((await _audit.QueryAsync(new AuditQuery(null, null, null, 10, 0))).Entries);
        Assert.Equal(AuditRecord.UsernameLength, row.Username!.Length);
        Assert.Equal(AuditRecord.ActionLength, row.Action.Length);
        Assert.Equal(AuditRecord.TargetLength, row.Target!.Length);
        Assert.Equal(AuditRecord.AddressLength, row.ClientAddress!.Length);
    }

    [Fact]
    public async Task Failed_sign_ins_of_a_username_from_an_address_share_a_row_per_window()
    {
        var window = TimeSpan.FromMinutes(5);
        foreach (var (offset, address) in new[] { (0, "10.0.0.1"), (60, "10.0.0.1"), (120, "10.0.0.2"), (299, "10.0.0.1"), (301, "10.0.0.1") })
            await _audit.CountFailedSignInAsync(FailedSignIn(Start.AddSeconds(offset), address), window);

        var rows = (await _audit.QueryAsync(new AuditQuery(null, null, null, 10, 0))).Entries;
        Assert.Equal([(1, "10.0.0.1"), (1, "10.0.0.2"), (3, "10.0.0.1")], rows.Select(r => (r.Count, r.ClientAddress)));
    }

    [Fact]
    public async Task Pruning_deletes_what_is_older_than_the_cutoff_in_batches()
    {
        for (var day = 0; day < 7; day++)
            await _audit.WriteAsync(new AuditRecord { At = Start.AddDays(day), Action = "POST /api/v1/users", Status = 201, Outcome = "success" });

        Assert.Equal(5, await _audit.PruneAsync(Start.AddDays(5), batch: 2));
        var left = (await _audit.QueryAsync(new AuditQuery(null, null, null, 10, 0))).Entries;
        Assert.Equal([Start.AddDays(6), Start.AddDays(5)], left.Select(r => r.At));
    }

    [Fact]
    public async Task Expired_sessions_are_deleted_in_batches()
    {
        var clock = new FakeTimeProvider(Start);
        using var identity = new IdentityStore(_test.Database, clock);
        await identity.SeedAsync("an-admin-password");
        for (var i = 0; i < 5; i++)
            await identity.LoginAsync("admin", "an-admin-password", TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(30));
        var (live, _) = await identity.LoginAsync("admin", "an-admin-password", TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(5, await identity.DeleteExpiredSessionsAsync(batch: 2));
        await using var db = _test.Database.Open();
        Assert.Equal(1, await db.GetTable<SessionRecord>().CountAsync());
        Assert.NotNull(await identity.AuthenticateAsync(live!.Token));
    }

    private static AuditRecord FailedSignIn(DateTime at, string address) => new()
    {
        At = at,
        Username = "mallory",
        Action = "POST /api/v1/auth/login",
        Status = 401,
        Outcome = "denied",
        ClientAddress = address,
    };

    public void Dispose()
    {
        _audit.Dispose();
        _test.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class AuditLogTestsOnSqlite() : AuditLogTests(TytoDatabase.Sqlite);

public sealed class AuditLogTestsOnPostgres() : AuditLogTests(TytoDatabase.Postgres);
