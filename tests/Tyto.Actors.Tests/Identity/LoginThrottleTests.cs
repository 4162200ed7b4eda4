using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Identity;

namespace Tyto.Actors.Tests.Identity;

public sealed class LoginThrottleTests
{
    private static readonly TytoOptions.LoginThrottleOptions Options =
        new() { Window = TimeSpan.FromMinutes(5), MaxFailuresPerUser = 5, MaxFailuresPerAddress = 20, SlowDown = TimeSpan.FromSeconds(1) };

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() => _throttle = new LoginThrottle(_clock, Options);

    [Fact]
    public void The_fifth_failure_from_an_address_locks_the_username_there_until_the_first_leaves_the_window()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(_throttle.Begin("alice", "10.0.0.1").RetryAfter);
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(250), _throttle.Begin("ALICE", "10.0.0.1").RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(249));
        Assert.NotNull(_throttle.Begin("alice", "10.0.0.1").RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_throttle.Begin("alice", "10.0.0.1").RetryAfter);
    }

    [Fact]
    public void Failures_elsewhere_only_slow_a_username_down()
    {
        for (var i = 0; i < 5; i++)
            Assert.Equal(TimeSpan.Zero, _throttle.Begin("admin", "10.0.0.1").SlowDown);

        var fromElsewhere = _throttle.Begin("admin", "10.0.0.2");
        Assert.Null(fromElsewhere.RetryAfter);
        Assert.Equal(Options.SlowDown, fromElsewhere.SlowDown);
        fromElsewhere.Succeeded();
        Assert.Null(_throttle.Begin("admin", "10.0.0.2").RetryAfter);
        Assert.NotNull(_throttle.Begin("admin", "10.0.0.1").RetryAfter);
    }

    [Fact]
    public void Parallel_attempts_cannot_pass_the_limit()
    {
        var admitted = 0;
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (_throttle.Begin("carol", "10.0.0.1").RetryAfter is null)
                Interlocked.Increment(ref admitted);
        });
        Assert.Equal(Options.MaxFailuresPerUser, admitted);
    }

    [Fact]
    public void Success_clears_the_username_at_its_address_but_not_the_address()
    {
        for (var i = 0; i < 4; i++)
            _throttle.Begin("bob", "10.0.0.1");
        _throttle.Begin("Bob", "10.0.0.1").Succeeded();
        for (var i = 0; i < 4; i++)
            Assert.Null(_throttle.Begin("bob", "10.0.0.1").RetryAfter);

        for (var i = 0; i < 12; i++)
            _throttle.Begin($"user{i}", "10.0.0.1");
        Assert.Equal(TimeSpan.FromMinutes(5), _throttle.Begin("carol", "10.0.0.1").RetryAfter);
        Assert.Null(_throttle.Begin("carol", "10.0.0.2").RetryAfter);
    }

    [Fact]
    public void An_attempt_whose_password_was_never_checked_counts_nothing()
    {
        for (var i = 0; i < 10; i++)
            _throttle.Begin("erin", "10.0.0.1").Unchecked();
        Assert.Null(_throttle.Begin("erin", "10.0.0.1").RetryAfter);
        Assert.Equal(3, _throttle.Count);
    }

    [Fact]
    public void Failures_older_than_the_window_are_forgotten_with_their_keys()
    {
        for (var i = 0; i < 5; i++)
            _throttle.Begin($"dave{i}", "10.0.0.1");
        Assert.Equal(11, _throttle.Count);
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(_throttle.Begin("dave0", "10.0.0.2").RetryAfter);
        Assert.Equal(3, _throttle.Count);
    }

    [Fact]
    public void The_keys_held_are_capped_dropping_the_least_recently_failed()
    {
        var throttle = new LoginThrottle(_clock, Options, capacity: 30);
        for (var i = 0; i < 1000; i++)
            throttle.Begin($"guess-{i}", $"10.0.{i / 250}.{i % 250}");
        Assert.Equal(30, throttle.Count);
    }
}
