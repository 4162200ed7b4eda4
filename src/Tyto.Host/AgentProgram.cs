using Tyto.Agent;

namespace Tyto.Host;

/// <summary>
/// Runs Tyto.Host as an agent. Nothing here may use a server type: the agent process must never load the cluster,
/// journal, SQL or Kestrel assemblies.
/// </summary>
public static class AgentProgram
{
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration has mistakes.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = args is [TytoConfiguration.AgentCommand, .. var rest] ? rest : args;
        var builder = AgentHost.CreateBuilder([.. settings, $"--{TytoOptions.Section}:{nameof(TytoOptions.Mode)}={TytoOptions.AgentMode}"]);
        var options = TytoConfiguration.Bind(builder.Configuration);
        // An agent is known by its host's name unless told otherwise; "local" is a server's own host.
        if (builder.Configuration["Tyto:Agent:Id"] is null)
            options.Agent.Id = Environment.MachineName;
        TytoOptionsValidator.ThrowIfInvalid(options);
        using var host = AgentHost.Build(builder, options);
        return await AgentHost.RunAsync(host);
    }
}
