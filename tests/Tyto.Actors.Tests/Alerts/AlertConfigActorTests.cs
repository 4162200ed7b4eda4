using Akka.Actor;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;
using Tyto.Actors.Tests.Persistence;

namespace Tyto.Actors.Tests.Alerts;

public sealed class AlertConfigActorTests : SqliteTestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_change_is_merged_persisted_and_told_to_subscribers_and_survives_a_restart()
    {
        var first = Sys.ActorOf(AlertConfigActor.PropsFor());
        var subscriber = CreateTestProbe();
        first.Tell(new SubscribeToThresholds(subscriber));
        subscriber.ExpectMsg(AlertThresholds.Default, Patience);

        first.Tell(new ChangeThresholds([new ThresholdChange(AlertType.Memory, 10, null)]));

        var expected = AlertThresholds.Default with { Memory = new Threshold(10, 95) };
        Assert.Equal(expected, ExpectMsg<ThresholdsAccepted>(Patience).Thresholds);
        subscriber.ExpectMsg(expected, Patience);
        Stop(first);
        var stored = Assert.Single(JournalRows("alerts-config"));
        Assert.Equal(("thresholds-changed.v1", TytoSerializer.SerializerId), (stored.Manifest, stored.SerializerId));

        var second = Sys.ActorOf(AlertConfigActor.PropsFor());
        second.Tell(GetThresholds.Instance);
        ExpectMsg(expected, Patience);
    }

    [Fact]
    public void A_refused_or_empty_change_persists_nothing()
    {
        var config = Sys.ActorOf(AlertConfigActor.PropsFor());

        config.Tell(new ChangeThresholds([new ThresholdChange(AlertType.Cpu, 99, null), new ThresholdChange(AlertType.Disk, 10, 20)]));
        var rejected = ExpectMsg<ThresholdsRejected>(Patience);
        Assert.Equal(["cpu.warning"], rejected.Problems.Select(p => p.Field));
        config.Tell(new ChangeThresholds([new ThresholdChange(AlertType.Cpu, 80, 95)]));
        Assert.Equal(AlertThresholds.Default, ExpectMsg<ThresholdsAccepted>(Patience).Thresholds);
        Stop(config);

        Assert.Empty(JournalRows("alerts-config"));
    }

    [Fact]
    public async Task A_change_the_journal_refuses_is_answered_at_once_and_the_supervised_singleton_comes_back()
    {
        var config = Sys.ActorOf(AlertConfigActor.SupervisedPropsFor());
        var change = new ChangeThresholds([new ThresholdChange(AlertType.Cpu, 70, null)]);
        Assert.Equal(AlertThresholds.Default, (await config.Ask<ThresholdsAccepted>(new ChangeThresholds([]), Patience)).Thresholds);

        RefuseJournalWrites();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => config.Ask<ThresholdsAccepted>(change, Patience));
        Assert.NotNull(StoreHealth.Get(Sys).FailingSince);
        AcceptJournalWrites();

        // Stopped by the failed write, it is started again from the journal; meanwhile the supervisor answers for it.
        var accepted = await Poll.ForAsync(
            async () =>
            {
                try
                {
                    return await config.Ask<ThresholdsAccepted>(change, TimeSpan.FromSeconds(5));
                }
                catch (Exception e) when (e is StoreUnavailableException or AskTimeoutException)
                {
                    // A change sent while the child is being stopped goes unanswered: the next one reaches the new child.
                    return null;
                }
            },
            a => a is not null,
            "the thresholds singleton takes changes again",
            TimeSpan.FromSeconds(60));
        Assert.Equal(70, accepted!.Thresholds.Cpu.Warning);
        Assert.Null(StoreHealth.Get(Sys).FailingSince);
    }
}
