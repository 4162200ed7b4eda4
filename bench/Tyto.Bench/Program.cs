using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Tyto.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
