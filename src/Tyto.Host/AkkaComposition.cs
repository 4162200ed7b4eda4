using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Tyto.Actors;
using Tyto.Actors.Agents;
using Tyto.Actors.Alerts;
using Tyto.Actors.Collection;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Collection;

namespace Tyto.Host;

/// <summary>The one place the actor system of a server node is composed.</summary>
public static class AkkaComposition
{
    public const string SystemName = "tyto";
    public const string ServerRole = "server";

    public static AkkaConfigurationBuilder ConfigureServerNode(
        this AkkaConfigurationBuilder akka, TytoOptions options, TytoDatabase database, CertificateAuthority authority, ILoggerFactory loggerFactory)
    {
        var cluster = options.Cluster;
        akka.AddHocon(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.hocon")), HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                // Akka logs through Microsoft.Extensions.Logging, at the level the "Logging" settings give it: events
                // below it are not raised at all, so none is left queued to be printed raw when the logger stops.
                loggers.LogLevel = LogLevelOf(loggerFactory.CreateLogger<ActorSystem>());
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithRemoting(ClusterTls.Remoting(cluster, authority))
            .WithClustering(new ClusterOptions
            {
                Roles = [ServerRole],
                SeedNodes = [.. cluster.Seeds],
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithDistributedPubSub(ServerRole)
            .WithSqlPersistence(database.JournalOptions, database.SnapshotOptions)
            .WithCustomSerializer("tyto", [typeof(ITytoEvent), typeof(ITytoSnapshot)], system => new TytoSerializer(system))
            .WithCustomSerializer("tyto-messages", [typeof(ITytoMessage)], system => new TytoMessageSerializer(system))
            .AddAlertActors(ServerRole)
            .AddAgentActors(ServerRole, options, authority)
            .AddMetricsActors()
            .AddLogActors()
            .AddCollectionActors(options, ServerRole);

        // Without seeds the node is a cluster of one: it joins itself, on whatever port remoting bound.
        if (cluster.Seeds.Count == 0)
            akka.AddStartup((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));
        return akka;
    }

    private static Akka.Event.LogLevel LogLevelOf(ILogger logger) =>
        logger.IsEnabled(LogLevel.Debug) ? Akka.Event.LogLevel.DebugLevel
        : logger.IsEnabled(LogLevel.Information) ? Akka.Event.LogLevel.InfoLevel
        : logger.IsEnabled(LogLevel.Warning) ? Akka.Event.LogLevel.WarningLevel
        : Akka.Event.LogLevel.ErrorLevel;
}
