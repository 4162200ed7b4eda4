using BenchmarkDotNet.Running;
using Tyto.Bench;

// dotnet run -c Release --project bench/Tyto.Bench -- --filter '*'     BenchmarkDotNet: the collection cycle
// dotnet run -c Release --project bench/Tyto.Bench -- history          the history load driver (see bench/README.md)
if (args.FirstOrDefault() == "history")
    return await HistoryLoad.RunAsync(HistoryLoad.Settings.Parse(args));
BenchmarkSwitcher.FromAssembly(typeof(HistoryLoad).Assembly).Run(args);
return 0;
