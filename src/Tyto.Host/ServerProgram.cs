using Akka.Actor;

namespace Tyto.Host;

/// <summary>Runs Tyto.Host as a server node, in a type of its own that an agent process never touches.</summary>
public static class ServerProgram
{
    /// <summary>
    /// Runs the node until it is stopped. A node that the actor system stops by itself says why on the console and exits
    /// with Akka's code for it, so that a service manager restarts it: the cluster downed it, it found no seed node to
    /// join, or the TLS handshake with a peer failed.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration has mistakes.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = TytoServer.Build(args);
        await app.InitializeAsync();
        var shutdown = CoordinatedShutdown.Get(app.Services.GetRequiredService<ActorSystem>());
        try
        {
            await app.RunAsync();
        }
        catch (Exception) when (shutdown.ShutdownReason is { ExitCode: > 0 })
        {
            // The actor system stopped itself while the node was starting: said below, as when it happens later.
        }
        if (shutdown.ShutdownReason is not { ExitCode: > 0 } reason)
            return 0;
        await Console.Error.WriteLineAsync($"Tyto stopped: {Explain(reason)}");
        return reason.ExitCode;
    }

    private static string Explain(CoordinatedShutdown.Reason reason) => reason switch
    {
        CoordinatedShutdown.ClusterDowningReason => "the cluster downed this node (it was unreachable, or on the smaller side of a split). Start it again to rejoin.",
        CoordinatedShutdown.ClusterJoinUnsuccessfulReason => "this node could not join any of Tyto:Cluster:Seeds.",
        _ when reason.ToString()!.Contains("TLS handshake", StringComparison.Ordinal) =>
            $"{reason}. Every node of a cluster uses the same database and Tyto:Cluster:Secret, which give it a certificate of the cluster's CA; a node of another CA is refused.",
        _ => $"the actor system shut down ({reason}).",
    };
}
