using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Tyto.Actors.Logs;

/// <summary>
/// The live streams of logs. Log sources on this node (<c>local</c>'s, agent connections) run into <see cref="Ingest"/>,
/// and this node's log writer attaches to <see cref="Batches"/>; what it has stored, with ids, it runs into
/// <see cref="Stored"/>, which <see cref="ClusterRelay"/> carries to every node, where the live log stream attaches to
/// <see cref="Written"/>.
/// </summary>
public sealed class LogHub : IExtension
{
    private const int PerProducerBuffer = 4;
    private const int BroadcastBuffer = 64;

    /// <summary>The distributed pub-sub topic every node's stored log lines are published on.</summary>
    public const string Topic = "logs";

    public LogHub(ActorSystem system)
    {
        var batches = new LiveHub<LogBatch>(system, "log-hub", PerProducerBuffer, BroadcastBuffer);
        Ingest = batches.Ingest;
        Batches = batches.Output;
        var stored = new LiveHub<IReadOnlyList<StoredLogEntry>>(system, "stored-log-hub", PerProducerBuffer, BroadcastBuffer);
        var written = new LiveHub<IReadOnlyList<StoredLogEntry>>(system, "written-log-hub", PerProducerBuffer, BroadcastBuffer);
        Stored = stored.Ingest;
        Written = written.Output;
        ClusterRelay.Connect(
            system,
            Topic,
            stored.Output.Select(entries => new StoredLogLines(entries)),
            Flow.Create<StoredLogLines>().Select(lines => lines.Entries).To(written.Ingest));
        // One consumer that never lags keeps the writer going while no stream client is attached.
        Written.RunWith(Sink.Ignore<IReadOnlyList<StoredLogEntry>>(), system.Materializer());
    }

    public Sink<LogBatch, NotUsed> Ingest { get; }

    /// <summary>Every batch from the moment of attaching, at the pace of the slowest consumer.</summary>
    public Source<LogBatch, NotUsed> Batches { get; }

    /// <summary>Where the log writer runs what it stored, one list per transaction.</summary>
    public Sink<IReadOnlyList<StoredLogEntry>, NotUsed> Stored { get; }

    /// <summary>The entries every node stored from the moment of attaching, one list per transaction, oldest first within each.</summary>
    public Source<IReadOnlyList<StoredLogEntry>, NotUsed> Written { get; }

    public static LogHub Get(ActorSystem system) => system.WithExtension<LogHub, LogHubProvider>();
}

public sealed class LogHubProvider : ExtensionIdProvider<LogHub>
{
    public override LogHub CreateExtension(ExtendedActorSystem system) => new(system);
}
