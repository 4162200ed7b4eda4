using Akka.Hosting;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Identity;
using Tyto.Actors.Metrics;
using Tyto.Actors.Persistence;
using Tyto.Api;

namespace Tyto.Host;

/// <summary>Builds and starts a Tyto server node; used by <c>Program</c> and by the HTTP tests alike.</summary>
public static class TytoServer
{
    public const string DefaultUrl = "http://localhost:8080";

    public static WebApplication Build(string[] args)
    {
        // appsettings.json and hocon/ ship beside the binary; relative paths such as ./data follow the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);

        var options = builder.Configuration.GetSection(TytoOptions.Section).Get<TytoOptions>() ?? new TytoOptions();
        Validate(options);
        var database = new TytoDatabase(options.DataDir);

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<HistoryStore>();
        builder.Services.AddTytoApi();
        builder.Services.AddAkka(AkkaComposition.SystemName, akka => akka.ConfigureServerNode(options, database));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddHostedService<MemoryTrimmer>();

        var app = builder.Build();
        app.UseTytoApi();
        return app;
    }

    /// <summary>Prepares the database and the first admin; call before starting the application.</summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        app.Services.GetRequiredService<TytoDatabase>().EnsureCreated();
        var options = app.Services.GetRequiredService<IOptions<TytoOptions>>().Value;
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

    private static void Validate(TytoOptions options)
    {
        if (options.Mode != "server")
            throw new OptionsValidationException(nameof(TytoOptions.Mode), typeof(TytoOptions), [$"Tyto:Mode '{options.Mode}' is not available yet; only 'server' is."]);
        if (options.Database.Provider != "sqlite")
            throw new OptionsValidationException(nameof(TytoOptions.Database), typeof(TytoOptions), [$"Tyto:Database:Provider '{options.Database.Provider}' is not available yet; only 'sqlite' is."]);
        if (options.Collection.Interval is < 1 or > 3600)
            throw new OptionsValidationException(nameof(TytoOptions.Collection), typeof(TytoOptions), ["Tyto:Collection:Interval must be between 1 and 3600 seconds."]);
        var history = options.History;
        string[] historyErrors =
        [
            .. history.BatchSize < 1 ? ["Tyto:History:BatchSize must be at least 1."] : Array.Empty<string>(),
            .. history.Buffer < history.BatchSize ? ["Tyto:History:Buffer must be at least Tyto:History:BatchSize."] : Array.Empty<string>(),
            .. history.BatchWindow <= TimeSpan.Zero || history.PruneInterval <= TimeSpan.Zero || history.IdleGrace < TimeSpan.Zero
                ? ["Tyto:History:BatchWindow and PruneInterval must be positive, IdleGrace not negative."] : Array.Empty<string>(),
            .. history.PruneBatch < 1 ? ["Tyto:History:PruneBatch must be at least 1."] : Array.Empty<string>(),
            .. new[] { history.Retention.Raw, history.Retention.OneMinute, history.Retention.FiveMinutes, history.Retention.OneHour }.Any(r => r <= TimeSpan.Zero)
                ? ["Tyto:History:Retention values must be positive."] : Array.Empty<string>(),
        ];
        if (historyErrors.Length > 0)
            throw new OptionsValidationException(nameof(TytoOptions.History), typeof(TytoOptions), historyErrors);
        var alerts = options.Alerts;
        if (alerts.For < TimeSpan.Zero || alerts.Hysteresis is < 0 or >= 100 || alerts.SnapshotEvery < 1)
            throw new OptionsValidationException(nameof(TytoOptions.Alerts), typeof(TytoOptions),
                ["Tyto:Alerts:For must not be negative, Tyto:Alerts:Hysteresis must be from 0 to below 100, Tyto:Alerts:SnapshotEvery at least 1."]);
        if (string.IsNullOrWhiteSpace(options.Docker.Socket) || options.Docker.Timeout <= TimeSpan.Zero || options.Docker.Concurrency < 1)
            throw new OptionsValidationException(nameof(TytoOptions.Docker), typeof(TytoOptions),
                ["Tyto:Docker:Socket must be set, Tyto:Docker:Timeout must be positive, Tyto:Docker:Concurrency at least 1."]);
        if (string.IsNullOrWhiteSpace(options.Gpu.NvidiaSmi) || string.IsNullOrWhiteSpace(options.Systemd.Systemctl) || options.Systemd.Refresh < TimeSpan.Zero)
            throw new OptionsValidationException(nameof(TytoOptions.Systemd), typeof(TytoOptions),
                ["Tyto:Gpu:NvidiaSmi and Tyto:Systemd:Systemctl must be set, Tyto:Systemd:Refresh must not be negative."]);
    }
}
