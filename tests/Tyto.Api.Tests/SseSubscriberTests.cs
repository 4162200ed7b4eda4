using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Metrics;
using Tyto.Actors.Tests;

namespace Tyto.Api.Tests;

public sealed class SseSubscriberTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("sse-tests");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    [Fact]
    public async Task An_idle_stream_sends_keep_alive_comments()
    {
        var subscriber = new SseSubscriber(Source.Never<MetricsSample>(), agentId: null);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = await subscriber.Frames(TimeSpan.FromMilliseconds(100)).Take(2).RunWith(Sink.Seq<SseFrame>(), _system.Materializer()).WaitAsync(deadline.Token);
        Assert.All(frames, f => Assert.Equal(": keep-alive\n\n", f.Text));
    }

    [Fact]
    public async Task Frames_are_metrics_events_of_the_requested_agent_only()
    {
        var samples = Source.From(new[] { Sample("a", 1), Sample("b", 2), Sample("a", 3) });
        var frames = await new SseSubscriber(samples, "a").Frames(TimeSpan.FromMinutes(1)).RunWith(Sink.Seq<SseFrame>(), _system.Materializer());
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.StartsWith("event: metrics\ndata: {\"agentId\":\"a\"", f.Text, StringComparison.Ordinal));
        Assert.All(frames, f => Assert.EndsWith("}\n\n", f.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_slow_client_loses_its_oldest_frames_not_the_newest()
    {
        const int produced = 500;
        var emitted = 0;
        var samples = Source.From(Enumerable.Range(1, produced).Select(i => Sample("a", i))).Select(s =>
        {
            Interlocked.Increment(ref emitted);
            return s;
        });
        var frames = new SseSubscriber(samples, null).Frames(TimeSpan.FromMinutes(1)).RunAsAsyncEnumerable(_system.Materializer());

        var received = new List<string>();
        await using var reader = frames.GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        received.Add(reader.Current.Text);
        // The client stalls while the hub keeps producing; its buffer keeps only the newest frames.
        await Poll.UntilAsync(() => Volatile.Read(ref emitted) == produced, "the hub produced every sample");
        while (await reader.MoveNextAsync())
            received.Add(reader.Current.Text);

        Assert.InRange(received.Count, 2, produced - 1);
        Assert.Contains($"\"uptime\":{produced},", received[^1], StringComparison.Ordinal);
    }

    /// <summary>A sample told apart by its uptime.</summary>
    private static MetricsSample Sample(string agentId, int uptime) =>
        MetricsSample.Empty(agentId, DateTime.UtcNow) with { System = new SystemSection("h", "k", uptime, "x86_64") };
}
