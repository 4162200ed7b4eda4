using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Identity;

/// <summary>
/// Slows password guessing. Failures are counted per (username, client address) and per address: past either
/// limit within the window, attempts are refused until the oldest failure leaves it. Per username alone,
/// across addresses, failures only slow attempts down, so nobody can lock an account out for its owner.
/// </summary>
/// <remarks>
/// An attempt counts as a failure from the moment it begins, in the same transaction that checks the limits, and
/// gives it back when it succeeds: parallel attempts cannot slip past a limit. The counts live in the database
/// (<c>login_throttle</c>), so every node sharing it counts the same failures; each transaction first takes the rows
/// of its keys, in one order, so attempts on different nodes wait for each other instead of both passing. Keys are
/// what clients send, so the table is bounded: expired keys are forgotten and, past <paramref name="capacity"/> keys,
/// the ones that failed least recently are dropped.
/// </remarks>
public sealed class LoginThrottle(TytoDatabase database, TimeProvider clock, TytoOptions.LoginThrottleOptions options, int capacity = LoginThrottle.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    /// <summary>The longest username kept as a key: no account has a longer one.</summary>
    private const int MaxUsernameLength = 64;

    /// <summary>The most expired or surplus keys one attempt forgets, so that no attempt waits for a large clean-up.</summary>
    private const int ForgetBatch = 100;

    /// <summary>Takes a key's row, creating an empty one: the update, though it changes nothing, locks the row until the transaction ends.</summary>
    private const string TakeKey = """
        INSERT INTO login_throttle (throttle_key, failures, last_failure) VALUES (@key, '', 0)
        ON CONFLICT (throttle_key) DO UPDATE SET last_failure = login_throttle.last_failure
        """;

    public static void CreateTables(DataConnection db)
    {
        db.CreateTable<LoginThrottleRecord>(tableOptions: TableOptions.CreateIfNotExists);
        db.Execute("CREATE INDEX IF NOT EXISTS ix_login_throttle_last_failure ON login_throttle (last_failure)");
    }

    /// <summary>Keys held, for tests.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.Open();
        return await db.GetTable<LoginThrottleRecord>().CountAsync(cancellationToken);
    }

    private static string Hashed(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Starts an attempt: either refused with how long to wait, or counted as failed until it succeeds.</summary>
    public async Task<Attempt> BeginAsync(string username, string address, CancellationToken cancellationToken = default)
    {
        var user = username.Length > MaxUsernameLength ? username[..MaxUsernameLength].ToLowerInvariant() : username.ToLowerInvariant();
        var now = clock.GetUtcNow();
        var since = now - options.Window;
        // Stored as hashes: a key is whatever a client typed, which may hold characters a database refuses (NUL).
        string[] keys = [Hashed($"user-at:{user}\n{address}"), Hashed($"address:{address}"), Hashed($"user:{user}")];
        var (userAtAddress, fromAddress, forUser) = (keys[0], keys[1], keys[2]);
        Attempt attempt;
        await using (var db = database.Open())
        {
            await using var transaction = await db.BeginTransactionAsync(cancellationToken);
            var failures = await TakeAsync(db, keys, cancellationToken);
            var wait = Max(Wait(failures[userAtAddress], options.MaxFailuresPerUser, since), Wait(failures[fromAddress], options.MaxFailuresPerAddress, since));
            if (wait is { } retryAfter)
                return new Attempt(this, [], now, retryAfter, TimeSpan.Zero);
            var slowDown = Wait(failures[forUser], options.MaxFailuresPerUser, since) is null ? TimeSpan.Zero : options.SlowDown;
            foreach (var key in keys)
            {
                Add(failures[key], now);
                await SaveAsync(db, key, failures[key], cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            attempt = new Attempt(this, keys, now, null, slowDown);
        }
        await ForgetAsync(since, cancellationToken);
        return attempt;
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>How long until the key is under its limit again, or null if it is now; drops the failures that left the window.</summary>
    private static TimeSpan? Wait(List<DateTimeOffset> failures, int limit, DateTimeOffset since)
    {
        failures.RemoveAll(at => at <= since);
        return failures.Count < limit ? null : failures[^limit] - since;
    }

    private void Add(List<DateTimeOffset> failures, DateTimeOffset at)
    {
        // Only the newest failures up to the limit matter; the user's own count is not capped by refusals.
        if (failures.Count >= Math.Max(options.MaxFailuresPerUser, options.MaxFailuresPerAddress))
            failures.RemoveAt(0);
        failures.Add(at);
    }

    /// <summary>Takes the keys' rows, in one order whatever the caller's, and reads their failures, oldest first.</summary>
    private static async Task<Dictionary<string, List<DateTimeOffset>>> TakeAsync(DataConnection db, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys.Order(StringComparer.Ordinal))
            await db.ExecuteAsync(TakeKey, cancellationToken, new DataParameter("key", key, DataType.NVarChar));
        var rows = await db.GetTable<LoginThrottleRecord>().Where(r => keys.Contains(r.Key)).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Key, r => r.FailureTimes, StringComparer.Ordinal);
    }

    /// <summary>Writes a key's failures back, or deletes its row when none are left.</summary>
    private static Task<int> SaveAsync(DataConnection db, string key, List<DateTimeOffset> failures, CancellationToken cancellationToken)
    {
        var rows = db.GetTable<LoginThrottleRecord>().Where(r => r.Key == key);
        if (failures.Count == 0)
            return rows.DeleteAsync(cancellationToken);
        var text = string.Join(',', failures.Select(at => at.UtcTicks.ToString(CultureInfo.InvariantCulture)));
        var last = failures[^1].UtcTicks;
        return rows.Set(r => r.Failures, text).Set(r => r.LastFailure, last).UpdateAsync(cancellationToken);
    }

    /// <summary>
    /// Drops keys whose last failure has left the window, then the least recently failed past the capacity. Each row
    /// goes in a statement of its own that takes no other row, so it cannot deadlock with attempts holding theirs; a
    /// key that failed again meanwhile no longer matches and stays.
    /// </summary>
    private async Task ForgetAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = database.Open();
        var table = db.GetTable<LoginThrottleRecord>();
        var expiredBefore = since.UtcTicks;
        var expired = await table.Where(r => r.LastFailure <= expiredBefore).Select(r => new { r.Key, r.LastFailure }).Take(ForgetBatch).ToListAsync(cancellationToken);
        var surplus = Math.Min(ForgetBatch, await table.CountAsync(cancellationToken) - expired.Count - capacity);
        var dropped = surplus <= 0
            ? []
            : await table.Where(r => r.LastFailure > expiredBefore).OrderBy(r => r.LastFailure).Select(r => new { r.Key, r.LastFailure }).Take(surplus).ToListAsync(cancellationToken);
        foreach (var row in expired.Concat(dropped))
            await table.Where(r => r.Key == row.Key && r.LastFailure == row.LastFailure).DeleteAsync(cancellationToken);
    }

    /// <summary>Gives back a failure counted in advance; the first key's failures are cleared altogether when <paramref name="clearFirst"/>.</summary>
    private async Task GiveBackAsync(IReadOnlyList<string> keys, DateTimeOffset at, bool clearFirst)
    {
        if (keys.Count == 0)
            return;
        await using var db = database.Open();
        await using var transaction = await db.BeginTransactionAsync();
        var failures = await TakeAsync(db, keys, CancellationToken.None);
        for (var i = 0; i < keys.Count; i++)
        {
            var held = failures[keys[i]];
            if (clearFirst && i == 0)
                held.Clear();
            else
                held.Remove(at);
            await SaveAsync(db, keys[i], held, CancellationToken.None);
        }
        await transaction.CommitAsync();
    }

    /// <summary>One login attempt; until <see cref="SucceededAsync"/> or <see cref="UncheckedAsync"/> it stands as a failure.</summary>
    public sealed class Attempt
    {
        private readonly LoginThrottle _throttle;
        private readonly string[] _keys;
        private readonly DateTimeOffset _at;

        internal Attempt(LoginThrottle throttle, string[] keys, DateTimeOffset at, TimeSpan? retryAfter, TimeSpan slowDown)
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
        public Task SucceededAsync() => _throttle.GiveBackAsync(_keys, _at, clearFirst: true);

        /// <summary>The password was never checked (the request was invalid): the failure is given back.</summary>
        public Task UncheckedAsync() => _throttle.GiveBackAsync(_keys, _at, clearFirst: false);
    }
}
