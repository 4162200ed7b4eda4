namespace Tyto.Actors.Tests;

/// <summary>
/// The one way tests wait for something to happen: poll a condition until it holds or a deadline passes, then fail
/// with what was awaited. Never a bare delay standing in for synchronisation.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> when it does not in time.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"Timed out waiting until {what}");
            await Task.Delay(Interval, CancellationToken.None);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Polls <paramref name="read"/> until its value satisfies <paramref name="accept"/>, and returns that value.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        var value = default(T)!;
        await UntilAsync(async () => accept(value = await read()), what, timeout);
        return value;
    }
}
