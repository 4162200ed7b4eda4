using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Identity;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Identity;

/// <summary>
/// The login throttle on a database of its own, created as the server creates it, with a clock the test moves; run
/// on each provider.
/// </summary>
public abstract class LoginThrottleTests : IDisposable
{
    private static readonly TytoOptions.LoginThrottleOptions Options =
        new() { Window = TimeSpan.FromMinutes(5), MaxFailuresPerUser = 5, MaxFailuresPerAddress = 20, SlowDown = TimeSpan.FromSeconds(1) };

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero));
    private readonly TestDatabase _test;
    private readonly LoginThrottle _throttle;

    protected LoginThrottleTests(string provider)
    {
        _test = new TestDatabase(provider, "tyto-throttle-");
        _throttle = new LoginThrottle(_test.Database, _clock, Options);
    }

    [Fact]
    public async Task A_username_with_characters_a_database_refuses_is_counted_like_any_other()
    {
        for (var i = 0; i < 5; i++)
            Assert.Null((await _throttle.BeginAsync("x\0y", "10.0.0.1")).RetryAfter);

        Assert.NotNull((await _throttle.BeginAsync("x\0y", "10.0.0.1")).RetryAfter);
        Assert.Null((await _throttle.BeginAsync("x", "10.0.0.1")).RetryAfter);
    }

    [Fact]
    public async Task The_fifth_failure_from_an_address_locks_the_username_there_until_the_first_leaves_the_window()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Null((await _throttle.BeginAsync("alice", "10.0.0.1")).RetryAfter);
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(250), (await _throttle.BeginAsync("ALICE", "10.0.0.1")).RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(249));
        Assert.NotNull((await _throttle.BeginAsync("alice", "10.0.0.1")).RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null((await _throttle.BeginAsync("alice", "10.0.0.1")).RetryAfter);
    }

    [Fact]
    public async Task Failures_elsewhere_only_slow_a_username_down()
    {
        for (var i = 0; i < 5; i++)
            Assert.Equal(TimeSpan.Zero, (await _throttle.BeginAsync("admin", "10.0.0.1")).SlowDown);

        var fromElsewhere = await _throttle.BeginAsync("admin", "10.0.0.2");
        Assert.Null(fromElsewhere.RetryAfter);
        Assert.Equal(Options.SlowDown, fromElsewhere.SlowDown);
        await fromElsewhere.SucceededAsync();
        Assert.Null((await _throttle.BeginAsync("admin", "10.0.0.2")).RetryAfter);
        Assert.NotNull((await _throttle.BeginAsync("admin", "10.0.0.1")).RetryAfter);
    }

    [Fact]
    public async Task Parallel_attempts_cannot_pass_the_limit()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => _throttle.BeginAsync("carol", "10.0.0.1"))));
        Assert.Equal(Options.MaxFailuresPerUser, attempts.Count(a => a.RetryAfter is null));
    }

    [Fact]
    public async Task Success_clears_the_username_at_its_address_but_not_the_address()
    {
        for (var i = 0; i < 4; i++)
            await _throttle.BeginAsync("bob", "10.0.0.1");
        await (await _throttle.BeginAsync("Bob", "10.0.0.1")).SucceededAsync();
        for (var i = 0; i < 4; i++)
            Assert.Null((await _throttle.BeginAsync("bob", "10.0.0.1")).RetryAfter);

        for (var i = 0; i < 12; i++)
            await _throttle.BeginAsync($"user{i}", "10.0.0.1");
        Assert.Equal(TimeSpan.FromMinutes(5), (await _throttle.BeginAsync("carol", "10.0.0.1")).RetryAfter);
        Assert.Null((await _throttle.BeginAsync("carol", "10.0.0.2")).RetryAfter);
    }

    [Fact]
    public async Task An_attempt_whose_password_was_never_checked_counts_nothing()
    {
        for (var i = 0; i < 10; i++)
            await (await _throttle.BeginAsync("erin", "10.0.0.1")).UncheckedAsync();
        Assert.Null((await _throttle.BeginAsync("erin", "10.0.0.1")).RetryAfter);
        Assert.Equal(3, await _throttle.CountAsync());
    }

    [Fact]
    public async Task Failures_older_than_the_window_are_forgotten_with_their_keys()
    {
        for (var i = 0; i < 5; i++)
            await _throttle.BeginAsync($"dave{i}", "10.0.0.1");
        Assert.Equal(11, await _throttle.CountAsync());
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null((await _throttle.BeginAsync("dave0", "10.0.0.2")).RetryAfter);
        Assert.Equal(3, await _throttle.CountAsync());
    }

    [Fact]
    public async Task The_keys_held_are_capped_dropping_the_least_recently_failed()
    {
        var throttle = new LoginThrottle(_test.Database, _clock, Options, capacity: 30);
        for (var i = 0; i < 100; i++)
            await throttle.BeginAsync($"guess-{i}", $"10.0.{i / 250}.{i % 250}");
        Assert.Equal(30, await throttle.CountAsync());
    }

    [Fact]
    public async Task Two_nodes_on_one_database_share_the_count()
    {
        var otherNode = new LoginThrottle(_test.Database, _clock, Options);
        for (var i = 0; i < 5; i++)
            Assert.Null((await (i % 2 == 0 ? _throttle : otherNode).BeginAsync("frank", "10.0.0.1")).RetryAfter);

        Assert.NotNull((await _throttle.BeginAsync("frank", "10.0.0.1")).RetryAfter);
        Assert.NotNull((await otherNode.BeginAsync("frank", "10.0.0.1")).RetryAfter);
        Assert.Equal(Options.SlowDown, (await otherNode.BeginAsync("frank", "10.0.0.2")).SlowDown);
    }

    public void Dispose()
    {
        _test.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class LoginThrottleTestsOnSqlite() : LoginThrottleTests(TytoDatabase.Sqlite);

public sealed class LoginThrottleTestsOnPostgres() : LoginThrottleTests(TytoDatabase.Postgres);
