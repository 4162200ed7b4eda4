using Microsoft.Extensions.Options;
using Tyto.Host;

WebApplication app;
try
{
    app = TytoServer.Build(args);
}
catch (OptionsValidationException e)
{
    // Mistakes in the configuration are the operator's to fix: one line each, no stack trace.
    await Console.Error.WriteLineAsync("Tyto cannot start, the configuration has errors:");
    foreach (var failure in e.Failures)
        await Console.Error.WriteLineAsync($"  {failure}");
    return 1;
}
await app.InitializeAsync();
await app.RunAsync();
return 0;
