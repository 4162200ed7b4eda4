using Akka.Actor;
using Akka.Event;

namespace Tyto.Collection;

/// <summary>
/// Runs one collector: answers each sampling round with a fresh reading. A collector that answers over I/O has
/// at most one reading under way; a round that comes meanwhile gets the last reading it finished.
/// </summary>
public class CollectorActor : ReceiveActor
{
    /// <summary>Collectors read kernel files synchronously, so they run on their own dispatcher, off the default one.</summary>
    public const string Dispatcher = "tyto.collector-dispatcher";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ISampleSection? _last;
    private bool _collecting;

    public CollectorActor(ICollector collector)
    {
        Collector = collector;
        Receive<CollectReading>(round =>
        {
            if (!_collecting)
                Collect(round.At, round.Round, Sender);
            else if (_last is not null)
                Sender.Tell(new CollectorReading(round.Round, _last));
        });
        Receive<Collected>(collected =>
        {
            _collecting = false;
            Reply(collected.Round, collected.ReplyTo, collected.Section);
        });
        Receive<CollectionFailed>(failed =>
        {
            _collecting = false;
            _log.Warning(failed.Error, "Collector {0} failed to read its source", collector.Name);
            // The round is told the source cannot be read, rather than left with the last reading as if it were current.
            if (collector.Failed(failed.Error.GetBaseException()) is { } section)
                Reply(failed.Round, failed.ReplyTo, section);
        });
        Receive<ChangeSampleInterval>(change => collector.IntervalChanged(change.Interval));
    }

    protected ICollector Collector { get; }

    protected override void PreStart()
    {
        // A first reading primes the counters, so the first real round already reports rates.
        Collect(DateTime.UtcNow, 0, ActorRefs.Nobody);
    }

    /// <summary>A restarted actor keeps its collector, child process and connections included: only a stop releases them.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
    }

    protected override void PostStop()
    {
        (Collector as IDisposable)?.Dispose();
    }

    private void Collect(DateTime at, long round, IActorRef replyTo)
    {
        try
        {
            if (Collector is ISynchronousCollector synchronous)
            {
                Reply(round, replyTo, synchronous.Collect(at));
                return;
            }
            _collecting = true;
            // Stopping disposes a disposable collector, which ends what it has in flight; systemctl runs end by their own timeout.
            Collector.CollectAsync(at, CancellationToken.None).AsTask().PipeTo(
                Self,
                success: section => new Collected(round, replyTo, section),
                failure: error => new CollectionFailed(round, replyTo, error));
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            // A kernel file in an unexpected format: skip this round, keep the counters of the last good one.
            _log.Warning(e, "Collector {0} could not read the host", Collector.Name);
        }
    }

    private void Reply(long round, IActorRef replyTo, ISampleSection section)
    {
        _last = section;
        replyTo.Tell(new CollectorReading(round, section));
    }

    public static Props PropsFor(ICollector collector) => collector is ProcessCollector processes
        ? Props.Create(() => new ProcessCollectorActor(processes)).WithDispatcher(Dispatcher)
        : Props.Create(() => new CollectorActor(collector)).WithDispatcher(Dispatcher);

    private sealed record Collected(long Round, IActorRef ReplyTo, ISampleSection Section);

    private sealed record CollectionFailed(long Round, IActorRef ReplyTo, Exception Error);
}

/// <summary>The process collector, which also answers process details, the process list, and sends signals.</summary>
public sealed class ProcessCollectorActor : CollectorActor
{
    public ProcessCollectorActor(ProcessCollector processes)
        : base(processes)
    {
        Receive<GetProcessDetails>(query => Sender.Tell(new ProcessDetailsResult(processes.Details(query.Pid))));
        Receive<ListProcesses>(query => Sender.Tell(processes.List(query)));
        Receive<SignalProcess>(command => Sender.Tell(new SignalProcessResult(processes.Signal(command.Pid, command.Signal))));
    }
}
