namespace Tyto.Collection;

/// <summary>
/// When a long-running child process (nvidia-smi, journalctl) that ended or could not start may start again: after a
/// wait that doubles from <see cref="FirstDelay"/> to <see cref="LongestDelay"/>, back to the first once a child ran
/// <see cref="Healthy"/> long. Its owner's lock guards it.
/// </summary>
public sealed class ChildRestarts(TimeProvider time)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(1);

    /// <summary>A child that ran this long before it died counts as healthy: the next restart waits only <see cref="FirstDelay"/>.</summary>
    public static readonly TimeSpan Healthy = TimeSpan.FromMinutes(1);

    private TimeSpan _delay = FirstDelay;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _due = DateTimeOffset.MinValue;

    /// <summary>Whether a child may start now.</summary>
    public bool Due => time.GetUtcNow() >= _due;

    public void Started() => _startedAt = time.GetUtcNow();

    /// <summary>The running child ended by itself.</summary>
    public void Exited()
    {
        if (time.GetUtcNow() - _startedAt >= Healthy)
            _delay = FirstDelay;
        Wait();
    }

    /// <summary>A child could not start, or had to be stopped: the next one waits, longer than the last one did.</summary>
    public void Wait()
    {
        _due = time.GetUtcNow() + _delay;
        _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, LongestDelay.Ticks));
    }

    /// <summary>The next child may start at once (its predecessor was replaced on purpose).</summary>
    public void StartNow() => _due = DateTimeOffset.MinValue;
}
