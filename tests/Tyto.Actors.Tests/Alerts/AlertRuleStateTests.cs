using Tyto.Actors.Alerts;

namespace Tyto.Actors.Tests.Alerts;

public sealed class AlertRuleStateTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 3, 12, 0, DateTimeKind.Utc);
    private static readonly Threshold Cpu = new(80, 95);
    private static readonly AlertRuleSettings TenSeconds = new(TimeSpan.FromSeconds(10), 2);

    /// <summary>Feeds one value a second from <see cref="Start"/> and returns every event with the final state.</summary>
    private static (AlertRuleState State, List<IAlertEvent> Events) Run(AlertRuleSettings settings, params double[] values)
    {
        var state = AlertRuleState.Initial("web-1", AlertType.Cpu, null);
        var events = new List<IAlertEvent>();
        for (var i = 0; i < values.Length; i++)
        {
            (state, var emitted) = state.Evaluate(values[i], Start.AddSeconds(i), Cpu, settings);
            events.AddRange(emitted);
        }
        return (state, events);
    }

    private static double[] Repeat(double value, int seconds) => [.. Enumerable.Repeat(value, seconds)];

    [Fact]
    public void A_value_over_the_line_raises_an_alert_only_once_it_has_held_for_the_duration()
    {
        var (_, early) = Run(TenSeconds, Repeat(85, 10));
        Assert.Empty(early);

        var (state, events) = Run(TenSeconds, Repeat(85, 11));

        var raised = Assert.IsType<AlertRaised>(Assert.Single(events));
        Assert.Equal(("web-1:cpu:1", AlertLevel.Warning, 85.0, 80.0, Start.AddSeconds(10)), (raised.AlertId, raised.Level, raised.Value, raised.Threshold, raised.At));
        Assert.Equal(AlertLevel.Warning, state.Active!.Level);
    }

    [Fact]
    public void Resolving_ends_the_active_alert_whatever_the_values_and_is_nothing_without_one()
    {
        var (state, _) = Run(new AlertRuleSettings(TimeSpan.Zero, 2), 96);

        var resolved = Assert.IsType<AlertResolved>(Assert.Single(state.Resolve(Start.AddMinutes(1))));

        Assert.Equal((state.Active!.AlertId, 96.0, Start.AddMinutes(1)), (resolved.AlertId, resolved.Value, resolved.At));
        Assert.Null(state.Apply(resolved).Active);
        Assert.Empty(state.Apply(resolved).Resolve(Start.AddMinutes(2)));
    }

    [Fact]
    public void With_no_duration_the_first_value_over_the_line_raises()
    {
        var (_, events) = Run(new AlertRuleSettings(TimeSpan.Zero, 2), 96);

        Assert.Equal(AlertLevel.Critical, Assert.IsType<AlertRaised>(Assert.Single(events)).Level);
    }

    [Fact]
    public void A_rise_from_warning_to_critical_raises_at_warning_then_escalates_once_critical_has_held()
    {
        var (state, events) = Run(TenSeconds, [.. Repeat(85, 5), .. Repeat(97, 20)]);

        Assert.Collection(events,
            e => Assert.Equal((AlertLevel.Warning, Start.AddSeconds(10)), (Assert.IsType<AlertRaised>(e).Level, e.At)),
            e => Assert.Equal((AlertLevel.Critical, 95.0, Start.AddSeconds(21)), (Assert.IsType<AlertLevelChanged>(e).Level, ((AlertLevelChanged)e).Threshold, e.At)));
        Assert.Equal(AlertLevel.Critical, state.Active!.Level);
    }

    [Fact]
    public void A_critical_alert_de_escalates_below_the_critical_line_less_the_hysteresis()
    {
        // 93.5 is under 95 but not under 95 - 2: still critical. 90 is: warning after ten seconds.
        var (state, events) = Run(TenSeconds, [.. Repeat(97, 11), .. Repeat(93.5, 20), .. Repeat(90, 11)]);

        Assert.Collection(events,
            e => Assert.IsType<AlertRaised>(e),
            e => Assert.Equal((AlertLevel.Warning, Start.AddSeconds(41)), (Assert.IsType<AlertLevelChanged>(e).Level, e.At)));
        Assert.Equal(AlertLevel.Warning, state.Active!.Level);
    }

    [Fact]
    public void An_alert_resolves_only_under_the_warning_line_less_the_hysteresis_for_the_duration()
    {
        var (hovering, notResolved) = Run(TenSeconds, [.. Repeat(85, 11), .. Repeat(78.5, 30)]);
        Assert.Single(notResolved);
        Assert.NotNull(hovering.Active);

        var (state, events) = Run(TenSeconds, [.. Repeat(85, 11), .. Repeat(70, 11)]);

        var resolved = Assert.IsType<AlertResolved>(events[^1]);
        Assert.Equal(("web-1:cpu:1", 70.0, Start.AddSeconds(21)), (resolved.AlertId, resolved.Value, resolved.At));
        Assert.Null(state.Active);
    }

    [Fact]
    public void A_value_flapping_across_the_line_never_raises_and_never_resolves()
    {
        double[] flapping = [.. Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? 81.0 : 79.0)];
        Assert.Empty(Run(TenSeconds, flapping).Events);

        // Once raised, the same flapping is all above 80 - 2: the alert stays, once, without flapping.
        var (state, events) = Run(TenSeconds, [.. Repeat(85, 11), .. flapping]);
        Assert.Single(events);
        Assert.NotNull(state.Active);
    }

    [Fact]
    public void A_condition_broken_before_the_duration_starts_over()
    {
        var (_, events) = Run(TenSeconds, [.. Repeat(85, 8), 50, .. Repeat(85, 8)]);

        Assert.Empty(events);
    }

    [Fact]
    public void Acknowledging_records_who_once_and_a_later_raise_gets_a_new_id()
    {
        var (state, _) = Run(TenSeconds, Repeat(85, 11));
        var acknowledged = Assert.IsType<AlertAcknowledged>(Assert.Single(state.Acknowledge("alice", Start.AddMinutes(1))));
        state = state.Apply(acknowledged);
        Assert.Equal(("alice", Start.AddMinutes(1)), (state.Active!.AcknowledgedBy, state.Active.AcknowledgedAt));
        Assert.Empty(state.Acknowledge("bob", Start.AddMinutes(2)));

        var later = Start.AddMinutes(5);
        foreach (var (value, i) in Repeat(10, 11).Concat(Repeat(90, 11)).Select((v, i) => (v, i)))
            state = state.Evaluate(value, later.AddSeconds(i), Cpu, TenSeconds).State;

        Assert.Equal(("web-1:cpu:2", null), (state.Active!.AlertId, state.Active.AcknowledgedBy));
    }

    [Fact]
    public void A_disk_alert_id_names_its_mount_by_a_hash_that_fits_a_url()
    {
        var state = AlertRuleState.Initial("web-1", AlertType.Disk, "/var/lib/my data");

        Assert.Matches("^web-1:disk-[0-9a-f]{16}:1$", state.NextAlertId);
        Assert.NotEqual(state.NextAlertId, AlertRuleState.Initial("web-1", AlertType.Disk, "/var/lib/other").NextAlertId);
    }

    [Fact]
    public void Replaying_the_events_with_Apply_rebuilds_the_same_alert()
    {
        var (state, events) = Run(TenSeconds, [.. Repeat(85, 11), .. Repeat(97, 11)]);
        var acknowledged = state.Acknowledge("alice", Start.AddMinutes(1));
        state = acknowledged.Aggregate(state, (s, e) => s.Apply(e));

        var replayed = events.Concat(acknowledged).Aggregate(AlertRuleState.Initial("web-1", AlertType.Cpu, null), (s, e) => s.Apply(e));

        Assert.Equal(state.Active, replayed.Active);
        Assert.Equal(state.Raised, replayed.Raised);
    }
}
