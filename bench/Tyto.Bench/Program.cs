using BenchmarkDotNet.Running;
using Tyto.Bench;

// dotnet run -c Release --project bench/Tyto.Bench -- --filter '*'     BenchmarkDotNet: the collection cycle
// dotnet run -c Release --project bench/Tyto.Bench -- history          the history load driver (see bench/README.md)
// dotnet run -c Release --project bench/Tyto.Bench -- alerts           alert rule recovery and evaluation
// dotnet run -c Release --project bench/Tyto.Bench -- docker [n]       collection with n (50) fake running containers
// dotnet run -c Release --project bench/Tyto.Bench -- logs ingest|query  the log ingest and search driver
// dotnet run -c Release --project bench/Tyto.Bench -- dashboard      the dashboard in headless Chromium with 20 simulated agents
// bench/fleet-load.sh                                                   simulated agents against a real server (fleet)
// bench/cluster-load.sh                                                 simulated agents against three nodes on PostgreSQL (cluster)
if (args.FirstOrDefault() == "history")
    return await HistoryLoad.RunAsync(HistoryLoad.Settings.Parse(args));
if (args.FirstOrDefault() == "alerts")
    return await AlertsLoad.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
if (args.FirstOrDefault() == "docker")
    return await DockerLoad.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50, cycles: 300);
if (args.FirstOrDefault() == "logs")
    return await LogsLoad.RunAsync(args);
if (args.FirstOrDefault() == "fleet")
    return await FleetLoad.RunAsync(FleetLoad.Settings.Parse(args));
if (args.FirstOrDefault() == "cluster")
    return await ClusterLoad.RunAsync(ClusterLoad.Settings.Parse(args));
if (args.FirstOrDefault() == "dashboard")
    return await DashboardLoad.RunAsync(DashboardLoad.Settings.Parse(args));
if (args.FirstOrDefault() == "docker-engine")
    return await DockerLoad.ServeEngineAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
BenchmarkSwitcher.FromAssembly(typeof(HistoryLoad).Assembly).Run(args);
return 0;
