using Tyto.Actors.Logs;

namespace Tyto.Actors.Tests.Logs;

public sealed class LogPrunerTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_pruner_deletes_what_is_past_the_retention_when_it_starts()
    {
        using var logs = new TestLogs(o => o.Retention = TimeSpan.FromHours(1));
        await logs.WriteAsync("local", TestLogs.Entry(logs.Now.AddHours(-2), "old"), TestLogs.Entry(logs.Now, "new"));

        Sys.ActorOf(PrunerActor.PropsFor("log entries", () => logs.Store.PruneAsync(), LogStore.PruneInterval));

        await Poll.UntilAsync(async () => (await logs.Store.QueryAsync(new LogQuery())).Total == 1, "the old entry is pruned");
        Assert.Equal(["new"], (await logs.MessagesAsync(new LogQuery())).Messages);
    }
}
