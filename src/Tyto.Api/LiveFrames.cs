using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tyto.Actors.Alerts;
using Tyto.Actors.Metrics;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>
/// The frames every stream connection sends: one stage turns each live metrics sample (not an agent's backlog) and alert event into one
/// <see cref="SseFrame"/>, and every connection attaches to its output, so a sample is serialized once however many
/// clients watch it, and not at all while none does.
/// </summary>
public sealed class LiveFrames
{
    private const int BroadcastBuffer = 64;

    public LiveFrames(Source<MetricsSample, NotUsed> samples, Source<IAlertEvent, NotUsed> alerts, IMaterializer materializer, Func<MetricsSample, SseFrame> metricsFrame)
    {
        Frames = samples.Via(MetricsHub.NewestOnly()).Select(metricsFrame)
            .Merge(alerts.Select(e => SseFrame.Alert(AlertEventDto.From(e))))
            .RunWith(BroadcastHub.Sink<SseFrame>(BroadcastBuffer), materializer);
        // One consumer that never lags keeps the frames, and so the hubs, flowing while no client is attached.
        Frames.RunWith(Sink.Ignore<SseFrame>(), materializer);
    }

    /// <summary>Every frame from the moment of attaching; ends when the hubs do.</summary>
    public Source<SseFrame, NotUsed> Frames { get; }
}
