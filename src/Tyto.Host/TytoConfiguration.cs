using Microsoft.Extensions.Options;

namespace Tyto.Host;

/// <summary>Reads the <c>Tyto</c> section for either mode; nothing here belongs to the server or the agent alone.</summary>
public static class TytoConfiguration
{
    /// <summary>The first argument that starts an agent: <c>Tyto.Host agent</c>.</summary>
    public const string AgentCommand = "agent";

    /// <summary>Whether <paramref name="args"/>, the environment or appsettings.json ask for an agent.</summary>
    public static bool IsAgent(string[] args) =>
        args is [AgentCommand, ..] ||
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build()[$"{TytoOptions.Section}:{nameof(TytoOptions.Mode)}"] == TytoOptions.AgentMode;

    /// <summary>Binds the section; a value of the wrong type is reported as a configuration error, with its key.</summary>
    public static TytoOptions Bind(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(TytoOptions.Section).Get<TytoOptions>() ?? new TytoOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(TytoOptions.Section, typeof(TytoOptions), [e.Message]);
        }
    }
}
