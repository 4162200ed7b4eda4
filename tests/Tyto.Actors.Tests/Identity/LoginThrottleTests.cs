using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Identity;

namespace Tyto.Actors.Tests.Identity;

public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() =>
        _throttle = new LoginThrottle(_clock, new TytoOptions.LoginThrottleOptions { Window = TimeSpan.FromMinutes(5), MaxFailuresPerUser = 5, MaxFailuresPerAddress = 20 });

    [Fact]
    public void The_fifth_failure_for_a_username_locks_it_until_the_first_leaves_the_window()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(_throttle.RetryAfter("alice", "10.0.0.1"));
            _throttle.Failed("alice", "10.0.0.1");
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(250), _throttle.RetryAfter("ALICE", "10.0.0.2"));
        _clock.Advance(TimeSpan.FromSeconds(249));
        Assert.NotNull(_throttle.RetryAfter("alice", "10.0.0.2"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_throttle.RetryAfter("alice", "10.0.0.2"));
    }

    [Fact]
    public void Success_resets_the_username_but_not_the_address()
    {
        for (var i = 0; i < 4; i++)
            _throttle.Failed("bob", "10.0.0.1");
        _throttle.Succeeded("Bob");
        for (var i = 0; i < 4; i++)
            _throttle.Failed("bob", "10.0.0.1");
        Assert.Null(_throttle.RetryAfter("bob", "10.0.0.9"));

        for (var i = 0; i < 12; i++)
            _throttle.Failed($"user{i}", "10.0.0.1");
        Assert.Equal(TimeSpan.FromMinutes(5), _throttle.RetryAfter("carol", "10.0.0.1"));
        Assert.Null(_throttle.RetryAfter("carol", "10.0.0.2"));
    }

    [Fact]
    public void Failures_older_than_the_window_are_forgotten()
    {
        for (var i = 0; i < 5; i++)
            _throttle.Failed("dave", "10.0.0.1");
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(_throttle.RetryAfter("dave", "10.0.0.1"));
        _throttle.Failed("dave", "10.0.0.1");
        Assert.Null(_throttle.RetryAfter("dave", "10.0.0.1"));
    }
}
