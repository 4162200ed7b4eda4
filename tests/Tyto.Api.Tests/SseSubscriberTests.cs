using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Alerts;
using Tyto.Actors.Tests;
using Tyto.Collection;

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
        var subscriber = new SseSubscriber(Source.Never<SseFrame>(), agentId: null);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = await subscriber.Frames(TimeSpan.FromMilliseconds(100)).Take(2).RunWith(Sink.Seq<SseFrame>(), _system.Materializer()).WaitAsync(deadline.Token);
        Assert.All(frames, f => Assert.Equal(": keep-alive\n\n", Text(f)));
    }

    [Fact]
    public async Task Frames_are_metrics_events_of_the_requested_agent_only()
    {
        var samples = Source.From(new[] { Sample("a", 1), Sample("b", 2), Sample("a", 3) }).Select(SseFrame.Metrics);
        var frames = await new SseSubscriber(samples, "a").Frames(TimeSpan.FromMinutes(1)).RunWith(Sink.Seq<SseFrame>(), _system.Materializer());
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.StartsWith("event: metrics\ndata: {\"agentId\":\"a\"", Text(f), StringComparison.Ordinal));
        Assert.All(frames, f => Assert.EndsWith("}\n\n", Text(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_slow_client_loses_its_oldest_frames_not_the_newest()
    {
        const int produced = 500;
        var emitted = 0;
        var samples = Source.From(Enumerable.Range(1, produced).Select(i => SseFrame.Metrics(Sample("a", i)))).Select(f =>
        {
            Interlocked.Increment(ref emitted);
            return f;
        });
        var frames = new SseSubscriber(samples, null).Frames(TimeSpan.FromMinutes(1)).RunAsAsyncEnumerable(_system.Materializer());

        var received = new List<string>();
        await using var reader = frames.GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        received.Add(Text(reader.Current));
        // The client stalls while the hub keeps producing; its buffer keeps only the newest frames.
        await Poll.UntilAsync(() => Volatile.Read(ref emitted) == produced, "the hub produced every sample");
        while (await reader.MoveNextAsync())
            received.Add(Text(reader.Current));

        Assert.InRange(received.Count, 2, produced - 1);
        Assert.Contains($"\"uptime\":{produced},", received[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sample_is_serialized_once_however_many_clients_stream_it()
    {
        const int clients = 3;
        const int measured = 10;
        var serializations = new ConcurrentDictionary<string, int>();
        var materializer = _system.Materializer();
        var (queue, samples) = Source.Queue<MetricsSample>(16, OverflowStrategy.Backpressure).PreMaterialize(materializer);
        // Each sample is told apart by its agent id; the frame counts how often it is serialized.
        var live = new LiveFrames(samples, Source.Never<IAlertEvent>(), materializer, sample => new SseFrame(sample.AgentId, () =>
        {
            serializations.AddOrUpdate(sample.AgentId, 1, (_, n) => n + 1);
            return SseFrame.Metrics(sample).Utf8.ToArray();
        }));
        var received = Enumerable.Range(0, clients).Select(_ => new ConcurrentQueue<SseFrame>()).ToList();
        foreach (var client in received)
            _ = new SseSubscriber(live.Frames, null).Frames(TimeSpan.FromMinutes(1)).RunWith(Sink.ForEach<SseFrame>(client.Enqueue), materializer);

        var next = 0;
        await Poll.UntilAsync(async () =>
        {
            await queue.OfferAsync(Sample($"{next++}", 1));
            return received.All(c => !c.IsEmpty);
        }, "every client is attached");
        var first = next;
        for (var i = 0; i < measured; i++)
            await queue.OfferAsync(Sample($"{next++}", 1));
        var last = $"{next - 1}";
        await Poll.UntilAsync(() => received.All(c => c.Any(f => f.AgentId == last)), "every client received the last sample");

        var expected = Enumerable.Range(first, measured).Select(i => $"{i}").ToList();
        var frames = received.Select(c => c.Where(f => int.Parse(f.AgentId!, CultureInfo.InvariantCulture) >= first).ToList()).ToList();
        Assert.All(frames, f => Assert.Equal(expected, f.Select(frame => frame.AgentId!)));
        Assert.All(frames, f => Assert.Equal(frames[0].Select(Text), f.Select(Text)));
        Assert.All(expected, id => Assert.Equal(1, serializations[id]));
        Assert.All(serializations.Values, n => Assert.Equal(1, n));
    }

    private static string Text(SseFrame frame) => Encoding.UTF8.GetString(frame.Utf8.Span);

    /// <summary>A sample told apart by its uptime.</summary>
    private static MetricsSample Sample(string agentId, int uptime) =>
        MetricsSample.Empty(agentId, DateTime.UtcNow) with { System = new SystemSection("h", "k", uptime, "x86_64") };
}
