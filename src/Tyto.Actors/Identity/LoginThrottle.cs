using System.Collections.Concurrent;

namespace Tyto.Actors.Identity;

/// <summary>
/// Slows password guessing: after too many failed logins for one username, or from one client address, within
/// the window, further attempts are refused until the oldest failure leaves the window. Kept per node.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, TytoOptions.LoginThrottleOptions options)
{
    private readonly ConcurrentDictionary<string, Failures> _byUsername = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Failures> _byAddress = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait before trying again, or null if an attempt is allowed now.</summary>
    public TimeSpan? RetryAfter(string username, string address)
    {
        var now = clock.GetUtcNow();
        var wait = Wait(_byUsername, username.ToLowerInvariant(), options.MaxFailuresPerUser, now);
        var addressWait = Wait(_byAddress, address, options.MaxFailuresPerAddress, now);
        return (wait, addressWait) switch
        {
            (null, null) => null,
            ({ } a, { } b) => a > b ? a : b,
            _ => wait ?? addressWait,
        };
    }

    public void Failed(string username, string address)
    {
        var now = clock.GetUtcNow();
        _byUsername.GetOrAdd(username.ToLowerInvariant(), _ => new Failures()).Add(now);
        _byAddress.GetOrAdd(address, _ => new Failures()).Add(now);
    }

    /// <summary>A successful login clears the username's failures; the address keeps its count.</summary>
    public void Succeeded(string username) => _byUsername.TryRemove(username.ToLowerInvariant(), out _);

    private TimeSpan? Wait(ConcurrentDictionary<string, Failures> table, string key, int limit, DateTimeOffset now)
    {
        if (!table.TryGetValue(key, out var failures))
            return null;
        var (count, oldest) = failures.Within(now - options.Window);
        if (count == 0)
            table.TryRemove(new KeyValuePair<string, Failures>(key, failures));
        return count < limit ? null : oldest + options.Window - now;
    }

    private sealed class Failures
    {
        private readonly Queue<DateTimeOffset> _times = new();

        public void Add(DateTimeOffset at)
        {
            lock (_times)
                _times.Enqueue(at);
        }

        /// <summary>Drops failures older than <paramref name="since"/>; returns how many remain and the oldest of them.</summary>
        public (int Count, DateTimeOffset Oldest) Within(DateTimeOffset since)
        {
            lock (_times)
            {
                while (_times.Count > 0 && _times.Peek() <= since)
                    _times.Dequeue();
                return (_times.Count, _times.Count > 0 ? _times.Peek() : default);
            }
        }
    }
}
