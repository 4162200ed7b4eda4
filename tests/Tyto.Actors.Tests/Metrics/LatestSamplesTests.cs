using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Metrics;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Metrics;

public sealed class LatestSamplesTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTime Start = TestHistory.Start;

    [Fact]
    public async Task Keeps_each_agents_newest_sample_and_forgets_agents_silent_past_the_horizon()
    {
        var latest = LatestSamples.Get(Sys);
        var hub = MetricsHub.Get(Sys);

        Send(hub, MetricsSample.Empty("gone", Start), MetricsSample.Empty("stays", Start.AddMinutes(30)), MetricsSample.Empty("stays", Start.AddMinutes(31)));
        await Poll.UntilAsync(() => latest.Since(DateTime.MinValue).Any(s => s.Timestamp == Start.AddMinutes(31)), "the newest sample is kept");
        Assert.Equal(["gone", "stays"], latest.Since(DateTime.MinValue).Select(s => s.AgentId));

        Send(hub, MetricsSample.Empty("stays", Start + LatestSamples.Horizon + TimeSpan.FromSeconds(1)));

        await Poll.UntilAsync(() => latest.Since(DateTime.MinValue).All(s => s.AgentId == "stays"), "the silent agent is forgotten");
        Assert.Equal(Start + LatestSamples.Horizon + TimeSpan.FromSeconds(1), Assert.Single(latest.Since(DateTime.MinValue)).Timestamp);
    }

    [Fact]
    public async Task A_backlog_sample_older_than_the_kept_one_does_not_replace_it()
    {
        var latest = LatestSamples.Get(Sys);
        var hub = MetricsHub.Get(Sys);

        Send(hub, MetricsSample.Empty("edge", Start.AddMinutes(5)), MetricsSample.Empty("edge", Start.AddMinutes(1)), MetricsSample.Empty("marker", Start.AddMinutes(5)));

        await Poll.UntilAsync(() => latest.Since(DateTime.MinValue).Any(s => s.AgentId == "marker"), "the samples sent after the backlog one are kept");
        Assert.Equal(Start.AddMinutes(5), latest.Since(DateTime.MinValue).Single(s => s.AgentId == "edge").Timestamp);
    }

    private void Send(MetricsHub hub, params MetricsSample[] samples) =>
        Source.From(samples).RunWith(hub.Ingest, Sys.Materializer());
}
