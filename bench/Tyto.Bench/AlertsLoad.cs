using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Tyto.Actors.Alerts;
using Tyto.Actors.Persistence;

namespace Tyto.Bench;

/// <summary>
/// Alert targets: how long an alert rule takes to recover 100,000 events from the real SQLite journal, with
/// snapshots and without, and what judging one value costs a rule.
/// </summary>
public static class AlertsLoad
{
    private static readonly Threshold Cpu = new(80, 95);
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task<int> RunAsync(int events)
    {
        Evaluation();
        foreach (var snapshotEvery in new[] { int.MaxValue, 1000 })
            await RecoveryAsync(events, snapshotEvery);
        return 0;
    }

    /// <summary>Values that keep the rule busy: raising, escalating, de-escalating and resolving in turn.</summary>
    private static double ValueAt(int i) => (i / 20 % 4) switch { 0 => 50, 1 => 85, 2 => 97, _ => 85 };

    private static void Evaluation()
    {
        var settings = new AlertRuleSettings(TimeSpan.FromSeconds(10), 2);
        var state = AlertRuleState.Initial("web-1", AlertType.Cpu, null);
        const int Values = 5_000_000;
        for (var i = 0; i < 100_000; i++)
            state = Apply(state.Evaluate(ValueAt(i), Start.AddSeconds(i), Cpu, settings));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Values; i++)
            state = Apply(state.Evaluate(ValueAt(i), Start.AddSeconds(100_000 + i), Cpu, settings));
        Console.WriteLine($"evaluation: {clock.Elapsed.TotalNanoseconds / Values:F0} ns per value per rule (AlertRuleState.Evaluate, events applied)");
    }

    private static AlertRuleState Apply((AlertRuleState State, IReadOnlyList<IAlertEvent> Events) decided) => decided.State;

    private static async Task RecoveryAsync(int events, int snapshotEvery)
    {
        var database = new TytoDatabase(Directory.CreateTempSubdirectory("tyto-bench-alerts-").FullName);
        database.EnsureCreated();
        var write = ActorSystem.Create("write", Config(database));
        var rule = write.ActorOf(AlertRuleActor.PropsFor("web-1", AlertType.Cpu, null, new AlertRuleSettings(TimeSpan.Zero, 2), snapshotEvery, ActorRefs.Nobody));
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (var i = 0; (await rule.Ask<AlertRuleState>(GetRuleState.Instance)).Raised * 4 < events; i += 20)
        {
            for (var k = 0; k < 20; k++)
                rule.Tell(new EvaluateRule(ValueAt(i + k), Start.AddSeconds(i + k), Cpu));
            sent += 20;
        }
        Console.WriteLine($"wrote ~{events:N0} events ({sent:N0} values) in {clock.Elapsed.TotalSeconds:F0} s");
        await write.Terminate();

        var read = ActorSystem.Create("read", Config(database));
        clock.Restart();
        var recovered = read.ActorOf(AlertRuleActor.PropsFor("web-1", AlertType.Cpu, null, new AlertRuleSettings(TimeSpan.Zero, 2), snapshotEvery, ActorRefs.Nobody));
        var state = await recovered.Ask<AlertRuleState>(GetRuleState.Instance, TimeSpan.FromMinutes(5));
        Console.WriteLine($"recovery {(snapshotEvery == int.MaxValue ? "without snapshots" : $"with a snapshot every {snapshotEvery:N0} events")}: " +
            $"{clock.Elapsed.TotalMilliseconds:F0} ms ({state.Raised:N0} alerts raised so far)");
        await read.Terminate();
        Directory.Delete(database.DataDirectory, recursive: true);
    }

    private static Config Config(TytoDatabase database)
    {
        var plugin = $"""
            connection-string = "{database.ConnectionString}"
            provider-name = "{database.ProviderName}"
            auto-initialize = on
            """;
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor {
              serializers.tyto = "Tyto.Actors.Persistence.TytoSerializer, Tyto.Actors"
              serialization-bindings {
                "Tyto.Actors.ITytoEvent, Tyto.Actors" = tyto
                "Tyto.Actors.ITytoSnapshot, Tyto.Actors" = tyto
              }
            }
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  {{plugin}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  {{plugin}} }
              }
            }
            """);
    }
}
