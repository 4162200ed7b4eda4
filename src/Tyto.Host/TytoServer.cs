using Akka.Hosting;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Actors.Logs;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Api;
using Tyto.Api.AgentChannel;
using Tyto.Collection;
using Tyto.Web;

namespace Tyto.Host;

/// <summary>Builds and starts a Tyto server node; used by <c>Program</c> and by the HTTP tests alike.</summary>
public static partial class TytoServer
{
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>Builds a node; <paramref name="services"/> may replace services last (tests: a fake clock, a log capture).</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? services = null)
    {
        // appsettings.json and hocon/ ship beside the binary; relative paths such as ./data follow the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // One bound instance, checked before anything uses it, serves the composition below and IOptions alike.
        var options = TytoConfiguration.Bind(builder.Configuration);
        // A node of a cluster monitors its own host under an id of its own; "local" is a single node's.
        if (options.Cluster.IsClustered && builder.Configuration["Tyto:Agent:Id"] is null)
            options.Agent.Id = Environment.MachineName;
        TytoOptionsValidator.ThrowIfInvalid(options);
        var database = new TytoDatabase(options);

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(kestrel => RequestLimitsMiddleware.RaiseServerLimits(kestrel.Limits));

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<HistoryStore>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddTransient<IStartupFilter, KestrelEndpoints>();
        builder.Services.AddTytoApi();
        builder.Services.AddDashboard();
        builder.Services.AddSingleton(services => ClusterTls.LoadAuthority(options, database, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddAkka(AkkaComposition.SystemName, (akka, services) => akka.ConfigureServerNode(
            options, database, services.GetRequiredService<CertificateAuthority>(), services.GetRequiredService<ILoggerFactory>()));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddHostedService<MemoryTrimmer>();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseTytoApi();
        app.UseDashboard();
        var dataDir = Path.GetFullPath(options.DataDir);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var agents = app.Services.GetRequiredService<AgentListener>();
            var served = app.Urls.Where(url => url != agents.Url).ToList();
            LogServing(app.Logger, served, dataDir);
            agents.LogListening();
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tyto is serving {Urls} with its data in {DataDir}")]
    private static partial void LogServing(ILogger logger, IEnumerable<string> urls, string dataDir);

    /// <summary>Prepares the database and the first admin; call before starting the application.</summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        app.Services.GetRequiredService<TytoDatabase>().EnsureCreated();
        var options = app.Services.GetRequiredService<IOptions<TytoOptions>>().Value;
        try
        {
            // Opened now rather than when the actor system needs it: a wrong cluster secret is a configuration error.
            app.Services.GetRequiredService<CertificateAuthority>();
        }
        catch (ClusterSecretException e)
        {
            throw new OptionsValidationException(TytoOptions.Section, typeof(TytoOptions), [e.Message]);
        }
        var generated = await app.Services.GetRequiredService<IdentityStore>().SeedAsync(options.Auth.AdminPassword, cancellationToken);
        if (generated is not null)
        {
            // Shown once, on the console only: it is never logged or stored in clear.
            await Console.Out.WriteLineAsync($"""

                ============================================================
                 Tyto created the user 'admin' with the password:
                     {generated}
                 Change it after signing in (PUT /api/v1/auth/me/password).
                ============================================================

                """);
        }
    }
}
