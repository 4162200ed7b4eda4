using Akka.Hosting;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Identity;
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
        builder.Services.AddTytoApi();
        builder.Services.AddAkka(AkkaComposition.SystemName, akka => akka.ConfigureServerNode(options, database));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

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
    }
}
