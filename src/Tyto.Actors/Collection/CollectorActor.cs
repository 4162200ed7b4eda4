using Akka.Actor;
using Akka.Event;

namespace Tyto.Actors.Collection;

/// <summary>Runs one collector: answers each sampling round with a fresh reading.</summary>
public class CollectorActor : ReceiveActor
{
    /// <summary>Collectors read kernel files synchronously, so they run on their own dispatcher, off the default one.</summary>
    public const string Dispatcher = "tyto.collector-dispatcher";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public CollectorActor(ICollector collector)
    {
        Collector = collector;
        Receive<CollectReading>(round =>
        {
            try
            {
                Sender.Tell(new CollectorReading(round.Round, collector.Collect(round.At)));
            }
            catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
            {
                // A kernel file in an unexpected format: skip this round, keep the counters of the last good one.
                _log.Warning(e, "Collector {0} could not read the host", collector.Name);
            }
        });
    }

    protected ICollector Collector { get; }

    protected override void PreStart()
    {
        // A first reading primes the counters, so the first real round already reports rates.
        Collector.Collect(DateTime.UtcNow);
    }

    public static Props PropsFor(ICollector collector) => collector is ProcessCollector processes
        ? Props.Create(() => new ProcessCollectorActor(processes)).WithDispatcher(Dispatcher)
        : Props.Create(() => new CollectorActor(collector)).WithDispatcher(Dispatcher);
}

/// <summary>The process collector, which also answers process details and sends signals.</summary>
public sealed class ProcessCollectorActor : CollectorActor
{
    public ProcessCollectorActor(ProcessCollector processes)
        : base(processes)
    {
        Receive<GetProcessDetails>(query => Sender.Tell(new ProcessDetailsResult(processes.Details(query.Pid))));
        Receive<SignalProcess>(command => Sender.Tell(new SignalProcessResult(ProcessSignals.Send(command.Pid, command.Signal))));
    }
}
