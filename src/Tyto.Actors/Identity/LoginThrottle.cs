namespace Tyto.Actors.Identity;

/// <summary>
/// Slows password guessing. Failures are counted per (username, client address) and per address: past either
/// limit within the window, attempts are refused until the oldest failure leaves it. Per username alone,
/// across addresses, failures only slow attempts down, so nobody can lock an account out for its owner.
/// </summary>
/// <remarks>
/// An attempt counts as a failure from the moment it begins, in the same step that checks the limits, and
/// gives it back when it succeeds: parallel attempts cannot slip past a limit. Keys are what clients send, so
/// the state is bounded: expired keys are forgotten and, past <paramref name="capacity"/> keys, the one that
/// failed least recently is dropped. Kept per node.
/// </remarks>
public sealed class LoginThrottle(TimeProvider clock, TytoOptions.LoginThrottleOptions options, int capacity = LoginThrottle.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    /// <summary>The longest username kept as a key: no account has a longer one.</summary>
    private const int MaxUsernameLength = 64;

    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];

    /// <summary>Entries by the time of their last failure, oldest first.</summary>
    private readonly LinkedList<Entry> _byLastFailure = new();

    /// <summary>Keys held, for tests.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
                return _entries.Count;
        }
    }

    /// <summary>Starts an attempt: either refused with how long to wait, or counted as failed until it succeeds.</summary>
    public Attempt Begin(string username, string address)
    {
        var user = username.Length > MaxUsernameLength ? username[..MaxUsernameLength].ToLowerInvariant() : username.ToLowerInvariant();
        var now = clock.GetUtcNow();
        var since = now - options.Window;
        Key userAtAddress = new(user, address), fromAddress = new(null, address), forUser = new(user, null);
        lock (_entries)
        {
            Forget(since);
            var wait = Max(Wait(userAtAddress, options.MaxFailuresPerUser, since), Wait(fromAddress, options.MaxFailuresPerAddress, since));
            if (wait is { } retryAfter)
                return new Attempt(this, [], now, retryAfter, TimeSpan.Zero);
            var slowDown = Wait(forUser, options.MaxFailuresPerUser, since) is null ? TimeSpan.Zero : options.SlowDown;
            foreach (var key in new[] { userAtAddress, fromAddress, forUser })
                Add(key, now);
            return new Attempt(this, [userAtAddress, fromAddress, forUser], now, null, slowDown);
        }
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>How long until the key is under its limit again, or null if it is now.</summary>
    private TimeSpan? Wait(Key key, int limit, DateTimeOffset since)
    {
        if (!_entries.TryGetValue(key, out var node))
            return null;
        var failures = node.Value.Failures;
        failures.RemoveAll(at => at <= since);
        return failures.Count < limit ? null : failures[^limit] - since;
    }

    private void Add(Key key, DateTimeOffset at)
    {
        if (_entries.TryGetValue(key, out var node))
            _byLastFailure.Remove(node);
        else
        {
            if (_entries.Count >= capacity)
                Remove(_byLastFailure.First!);
            node = new LinkedListNode<Entry>(new Entry(key, []));
            _entries.Add(key, node);
        }
        var failures = node.Value.Failures;
        // Only the newest failures up to the limit matter; the user's own count is not capped by refusals.
        if (failures.Count >= Math.Max(options.MaxFailuresPerUser, options.MaxFailuresPerAddress))
            failures.RemoveAt(0);
        failures.Add(at);
        _byLastFailure.AddLast(node);
    }

    /// <summary>Gives back a failure counted in advance; <paramref name="clear"/> forgets the key's failures altogether.</summary>
    private void GiveBack(Key key, DateTimeOffset at, bool clear)
    {
        if (!_entries.TryGetValue(key, out var node))
            return;
        var failures = node.Value.Failures;
        if (clear)
            failures.Clear();
        else
            failures.Remove(at);
        if (failures.Count == 0)
            Remove(node);
    }

    /// <summary>Drops the keys whose last failure has left the window.</summary>
    private void Forget(DateTimeOffset since)
    {
        while (_byLastFailure.First is { } oldest && (oldest.Value.Failures.Count == 0 || oldest.Value.Failures[^1] <= since))
            Remove(oldest);
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _byLastFailure.Remove(node);
        _entries.Remove(node.Value.Key);
    }

    internal readonly record struct Key(string? Username, string? Address);

    private sealed record Entry(Key Key, List<DateTimeOffset> Failures);

    /// <summary>One login attempt; until <see cref="Succeeded"/> or <see cref="Unchecked"/> it stands as a failure.</summary>
    public sealed class Attempt
    {
        private readonly LoginThrottle _throttle;
        private readonly Key[] _keys;
        private readonly DateTimeOffset _at;

        internal Attempt(LoginThrottle throttle, Key[] keys, DateTimeOffset at, TimeSpan? retryAfter, TimeSpan slowDown)
        {
            _throttle = throttle;
            _keys = keys;
            _at = at;
            RetryAfter = retryAfter;
            SlowDown = slowDown;
        }

        /// <summary>Set when the attempt is refused: how long the caller must wait.</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>How long to wait before checking the password: the username failed too often from elsewhere.</summary>
        public TimeSpan SlowDown { get; }

        /// <summary>The password was right: the failure is given back and the username's count from this address cleared.</summary>
        public void Succeeded() => GiveBack(clearUserAtAddress: true);

        /// <summary>The password was never checked (the request was invalid): the failure is given back.</summary>
        public void Unchecked() => GiveBack(clearUserAtAddress: false);

        private void GiveBack(bool clearUserAtAddress)
        {
            lock (_throttle._entries)
            {
                for (var i = 0; i < _keys.Length; i++)
                    _throttle.GiveBack(_keys[i], _at, clearUserAtAddress && i == 0);
            }
        }
    }
}
