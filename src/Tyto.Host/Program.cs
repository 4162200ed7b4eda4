using Microsoft.Extensions.Options;
using Tyto.Host;

try
{
    // Decided before any server type is touched: the runtime loads an assembly when it compiles the first method that
    // uses it, so an agent never loads what only ServerProgram uses (cluster, journal, SQL, Kestrel).
    return TytoConfiguration.IsAgent(args) ? await AgentProgram.RunAsync(args) : await ServerProgram.RunAsync(args);
}
catch (OptionsValidationException e)
{
    // Mistakes in the configuration are the operator's to fix: one line each, no stack trace.
    await Console.Error.WriteLineAsync("Tyto cannot start, the configuration has errors:");
    foreach (var failure in e.Failures)
        await Console.Error.WriteLineAsync($"  {failure}");
    return 1;
}
