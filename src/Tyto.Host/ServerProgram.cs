namespace Tyto.Host;

/// <summary>Runs Tyto.Host as a server node, in a type of its own that an agent process never touches.</summary>
public static class ServerProgram
{
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration has mistakes.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = TytoServer.Build(args);
        await app.InitializeAsync();
        await app.RunAsync();
        return 0;
    }
}
