using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Alerts;

/// <summary>Asks to merge <paramref name="Changes"/> into the thresholds: answered with <see cref="ThresholdsAccepted"/> or <see cref="ThresholdsRejected"/>.</summary>
public sealed record ChangeThresholds(IReadOnlyList<ThresholdChange> Changes) : ITytoMessage;

/// <summary>The thresholds after an accepted change (or unchanged, when it changed nothing).</summary>
public sealed record ThresholdsAccepted(AlertThresholds Thresholds) : ITytoMessage;

/// <summary>A change refused whole, with every problem found.</summary>
public sealed record ThresholdsRejected(IReadOnlyList<ThresholdProblem> Problems) : ITytoMessage;

/// <summary>Asks for the current thresholds.</summary>
public sealed record GetThresholds : ITytoMessage
{
    public static readonly GetThresholds Instance = new();
}

/// <summary>Subscribes an actor to the thresholds: it gets the current ones at once and every change after.</summary>
public sealed record SubscribeToThresholds(IActorRef Subscriber) : ITytoMessage;

/// <summary>The thresholds were changed; the event holds all of them, as merged.</summary>
public sealed record ThresholdsChanged(AlertThresholds Thresholds, DateTime At) : ITytoEvent;

/// <summary>
/// Holds the alert thresholds as an event-sourced cluster singleton: a change is validated and merged whole,
/// persisted before anyone is told, and survives restarts.
/// </summary>
public sealed class AlertConfigActor : TytoPersistentActor
{
    private const int SnapshotEvery = 100;

    private readonly HashSet<IActorRef> _subscribers = [];
    private AlertThresholds _thresholds = AlertThresholds.Default;

    public AlertConfigActor()
    {
        Recover<ThresholdsChanged>(changed => _thresholds = changed.Thresholds);
        Recover<SnapshotOffer>(offer => offer.Snapshot is AlertThresholds, offer => _thresholds = (AlertThresholds)offer.Snapshot);

        Command<ChangeThresholds>(change =>
        {
            var (merged, problems) = _thresholds.Merge(change.Changes);
            if (merged is null)
            {
                Sender.Tell(new ThresholdsRejected(problems));
                return;
            }
            if (merged == _thresholds)
            {
                Sender.Tell(new ThresholdsAccepted(_thresholds));
                return;
            }
            var requester = Sender;
            PersistAllFor(requester, [new ThresholdsChanged(merged, DateTime.UtcNow)], changed =>
            {
                _thresholds = changed.Thresholds;
                requester.Tell(new ThresholdsAccepted(_thresholds));
                foreach (var subscriber in _subscribers)
                    subscriber.Tell(_thresholds);
                if (LastSequenceNr % SnapshotEvery == 0)
                    SaveSnapshot(_thresholds);
            });
        });
        Command<GetThresholds>(_ => Sender.Tell(_thresholds));
        Command<SubscribeToThresholds>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
            subscribe.Subscriber.Tell(_thresholds);
        });
        Command<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<DeleteSnapshotsSuccess>(_ => { });
    }

    public override string PersistenceId => "alerts-config";

    public static Props PropsFor() => Props.Create(() => new AlertConfigActor());

    /// <summary>The actor under backoff supervision, as the singleton runs it: a failed write stops it, and it comes back.</summary>
    public static Props SupervisedPropsFor() => PropsWithBackoff(PropsFor(), "thresholds");
}

/// <summary>Marker for resolving the alert thresholds singleton through <c>IRequiredActor</c>.</summary>
public sealed class AlertConfigSingleton;

public static class AlertHosting
{
    /// <summary>Starts the alert thresholds singleton on server nodes, and this node's projection of the alert board.</summary>
    public static AkkaConfigurationBuilder AddAlertActors(this AkkaConfigurationBuilder builder, string role) =>
        builder.WithSingleton<AlertConfigSingleton>("alerts-config", AlertConfigActor.SupervisedPropsFor(), new ClusterSingletonOptions { Role = role })
            .WithActors((system, _, resolver) => AlertProjection.Start(system, resolver.GetService<AlertBoard>()));
}
