using Tyto.Actors.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class CollectionSettingsTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    [Fact]
    public void Changing_the_interval_produces_one_event_carrying_its_time()
    {
        var events = new CollectionSettings(2).Decide(new ChangeRefreshInterval(5), Now);

        Assert.Equal([new RefreshIntervalChanged(5, Now)], events);
    }

    [Fact]
    public void Asking_for_the_current_interval_produces_nothing()
    {
        Assert.Empty(new CollectionSettings(2).Decide(new ChangeRefreshInterval(2), Now));
    }

    [Fact]
    public void Applying_the_event_changes_the_interval()
    {
        Assert.Equal(new CollectionSettings(30), new CollectionSettings(2).Apply(new RefreshIntervalChanged(30, Now)));
    }
}
