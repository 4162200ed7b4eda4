namespace Tyto.Agent;

/// <summary>How long the agent waits before it tries its servers again: from one second, doubling to thirty.</summary>
public sealed class ReconnectDelay
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private TimeSpan _next = First;

    /// <summary>The wait before the next try; each call doubles the one after it, up to <see cref="Longest"/>.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Longest.Ticks));
        return delay;
    }

    /// <summary>A try succeeded: the next failure waits <see cref="First"/> again.</summary>
    public void Reset() => _next = First;
}
