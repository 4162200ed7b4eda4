using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tyto.Collection;
using Tyto.Collection.Logs;

namespace Tyto.Agent;

/// <summary>
/// Composes and runs an agent process: a generic host (no Kestrel) with an actor system of three parts, the host
/// monitor, the log sources, and the channel with its outbox; nothing of the server. Enrollment comes first.
/// </summary>
public static partial class AgentHost
{
    public const string SystemName = "tyto";

    /// <summary>The exit status of an agent whose certificate the server revoked (or whose registration it removed).</summary>
    public const int RevokedExitCode = 3;

    /// <summary>The exit status of an agent whose enrollment a server refused.</summary>
    public const int RefusedExitCode = 2;

    /// <summary>The longest a log source waits for the outbox to keep its batch or tell its position.</summary>
    private static readonly TimeSpan OutboxTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The builder of an agent process: configuration from appsettings.json beside the binary, the environment and <paramref name="args"/>.</summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.FormatterName = AgentConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AgentConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        return builder;
    }

    /// <summary>An agent host for <paramref name="options"/>, already checked.</summary>
    public static IHost Build(HostApplicationBuilder builder, TytoOptions options)
    {
        Directory.CreateDirectory(options.DataDir);
        var files = new AgentFiles(options.DataDir);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(files);
        builder.Services.AddSingleton(s => new ServerTrust(files, options.Agent.CaFingerprint, s.GetRequiredService<ILogger<ServerTrust>>()));
        builder.Services.AddSingleton<EnrollmentClient>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<MemoryTrimmer>();
        builder.Services.AddAkka(SystemName, (akka, services) =>
        {
            akka.AddHocon(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.hocon")), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithActors((system, _) =>
                {
                    var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
                    var settings = new AgentChannelSettings(
                        options.Agent.Id, options.Agent.Server, files, services.GetRequiredService<ServerTrust>(), options.Agent.OutboxMaxMb * 1024L * 1024L,
                        TimeSpan.FromSeconds(options.Collection.Interval), () =>
                        {
                            Environment.ExitCode = RevokedExitCode;
                            lifetime.StopApplication();
                        });
                    var channel = system.ActorOf(AgentChannelActor.PropsFor(settings, services.GetRequiredService<ILoggerFactory>().CreateLogger("Tyto.Agent")), "channel");
                    var output = Sink.ActorRefWithAck<MetricsSample>(channel, StreamInit.Instance, StreamAck.Instance, StreamDone.Instance, _ => StreamDone.Instance);
                    var feed = SingletonSubscription.PropsFor(channel, subscriber => new SubscribeInterval(subscriber));
                    system.ActorOf(HostMonitorActor.PropsFor(
                        options.Agent.Id, () => HostMonitorActor.CollectorsFor(options, TimeProvider.System), output, feed, channel,
                        TimeSpan.FromSeconds(options.Collection.Interval)), "host");
                    foreach (var source in LogReaders.For(options, TimeProvider.System))
                    {
                        system.ActorOf(LogSourceActor.PropsFor(
                            source,
                            async () => (await channel.Ask<LogPosition>(new GetLogPosition(source.Key), OutboxTimeout)).Position,
                            read => channel.Ask<LogsAppended>(new AppendLogs(source.Key, read), OutboxTimeout)), $"log-{source.Key}");
                    }
                });
        });
        return builder.Build();
    }

    /// <summary>Enrolls when the agent has no certificate yet, then runs until stopped; the process's exit status.</summary>
    public static async Task<int> RunAsync(IHost host)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tyto.Agent");
        // The host is not running yet, so its console lifetime does not handle SIGTERM and Ctrl+C: enrollment does.
        using (var stop = new CancellationTokenSource())
        {
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }

            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            try
            {
                if (!await host.Services.GetRequiredService<EnrollmentClient>().EnrollAsync(stop.Token))
                    return RefusedExitCode;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                LogStopping(logger);
                return 0;
            }
        }
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => LogStopping(logger));
        await host.RunAsync();
        return Environment.ExitCode;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping")]
    private static partial void LogStopping(ILogger logger);
}
