using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Tyto.Actors.Agents;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Actors.Collection;

/// <summary>Asks to sample every <see cref="Seconds"/> seconds from now on.</summary>
public sealed record ChangeRefreshInterval(int Seconds) : ITytoMessage
{
    public const int MinSeconds = 1;
    public const int MaxSeconds = 3600;
}

/// <summary>The refresh interval was changed.</summary>
public sealed record RefreshIntervalChanged(int Seconds, DateTime At) : ITytoEvent;

/// <summary>Subscribes an actor to the collection settings; it gets the current ones at once and every change after.</summary>
public sealed record SubscribeToCollectionSettings(IActorRef Subscriber) : ITytoMessage;

/// <summary>The settings every host's collection follows.</summary>
public sealed record CollectionSettings(int RefreshIntervalSeconds) : ITytoSnapshot
{
    public CollectionSettings Apply(RefreshIntervalChanged changed) => this with { RefreshIntervalSeconds = changed.Seconds };

    /// <summary>The events that changing the interval produces: none where nothing would change.</summary>
    public IReadOnlyList<RefreshIntervalChanged> Decide(ChangeRefreshInterval command, DateTime now) =>
        command.Seconds == RefreshIntervalSeconds ? [] : [new RefreshIntervalChanged(command.Seconds, now)];
}

/// <summary>
/// Holds the cluster-wide collection settings as an event-sourced singleton, so a changed refresh interval
/// survives restarts and reaches every sampler.
/// </summary>
public sealed class CollectionSettingsActor : TytoPersistentActor
{
    private const int SnapshotEvery = 100;

    private readonly HashSet<IActorRef> _subscribers = [];
    private CollectionSettings _settings;

    public CollectionSettingsActor(int defaultIntervalSeconds)
    {
        _settings = new CollectionSettings(defaultIntervalSeconds);

        Recover<RefreshIntervalChanged>(changed => _settings = _settings.Apply(changed));
        Recover<SnapshotOffer>(offer => offer.Snapshot is CollectionSettings settings, offer => _settings = (CollectionSettings)offer.Snapshot);

        Command<ChangeRefreshInterval>(command =>
        {
            if (command.Seconds is < ChangeRefreshInterval.MinSeconds or > ChangeRefreshInterval.MaxSeconds)
            {
                Sender.Tell(new Status.Failure(new ArgumentOutOfRangeException(nameof(command), command.Seconds, "Refresh interval out of range")));
                return;
            }
            var events = _settings.Decide(command, DateTime.UtcNow);
            if (events.Count == 0)
            {
                Sender.Tell(_settings);
                return;
            }
            var requester = Sender;
            PersistAllFor(requester, events, changed =>
            {
                _settings = _settings.Apply(changed);
                requester.Tell(_settings);
                foreach (var subscriber in _subscribers)
                    subscriber.Tell(_settings);
                if (LastSequenceNr % SnapshotEvery == 0)
                    SaveSnapshot(_settings);
            });
        });
        Command<SubscribeToCollectionSettings>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
            subscribe.Subscriber.Tell(_settings);
        });
        Command<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
        Command<SaveSnapshotSuccess>(saved =>
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<GetCollectionSettings>(_ => Sender.Tell(_settings));
    }

    public override string PersistenceId => "settings-collection";

    public static Props PropsFor(int defaultIntervalSeconds) => Props.Create(() => new CollectionSettingsActor(defaultIntervalSeconds));

    /// <summary>The actor under backoff supervision, as the singleton runs it: a failed write stops it, and it comes back.</summary>
    public static Props SupervisedPropsFor(int defaultIntervalSeconds) => PropsWithBackoff(PropsFor(defaultIntervalSeconds), "settings");
}

/// <summary>Asks for the current collection settings.</summary>
public sealed record GetCollectionSettings : ITytoMessage
{
    public static readonly GetCollectionSettings Instance = new();
}

/// <summary>Marker for resolving the collection settings singleton through <c>IRequiredActor</c>.</summary>
public sealed class CollectionSettingsSingleton;

/// <summary>Marker for resolving this node's own host monitor through <c>IRequiredActor</c>.</summary>
public sealed class LocalHostMonitor;

public static class CollectionHosting
{
    /// <summary>Starts the collection settings singleton and the monitor of this node's own host, registered with its agent entity.</summary>
    public static AkkaConfigurationBuilder AddCollectionActors(this AkkaConfigurationBuilder builder, TytoOptions options, string role)
    {
        var interval = options.Collection.Interval;
        return builder
            .WithSingleton<CollectionSettingsSingleton>(
                "collection-settings",
                CollectionSettingsActor.SupervisedPropsFor(interval),
                new ClusterSingletonOptions { Role = role })
            .WithActors((system, registry) =>
            {
                var monitor = system.ActorOf(
                    HostMonitorActor.PropsFor(
                        options.Agent.Id,
                        () => HostMonitorActor.CollectorsFor(options, TimeProvider.System),
                        MetricsHub.Get(system).Ingest,
                        SettingsFeed(registry.Get<CollectionSettingsSingleton>()),
                        registry.Get<AgentRegion>(),
                        TimeSpan.FromSeconds(interval)),
                    "host-monitor");
                registry.Register<LocalHostMonitor>(monitor);
            });
    }

    /// <summary>Follows the settings singleton and hands each refresh interval on as a <see cref="ChangeSampleInterval"/>.</summary>
    public static Props SettingsFeed(IActorRef settings) =>
        SingletonSubscription.PropsFor(
            settings,
            subscriber => new SubscribeToCollectionSettings(subscriber),
            state => new ChangeSampleInterval(TimeSpan.FromSeconds(((CollectionSettings)state).RefreshIntervalSeconds)));
}
