using System.Diagnostics;
using Akka.Actor;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class ProcessCollectorActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly IActorRef _processes;

    public ProcessCollectorActorTests()
    {
        _processes = Sys.ActorOf(Props.Create(() => new ProcessCollectorActor(new ProcessCollector(HostRoot.Live))));
    }

    [Fact]
    public void Details_of_this_test_process()
    {
        _processes.Tell(new GetProcessDetails(Environment.ProcessId));

        var details = ExpectMsg<ProcessDetailsResult>(Patience).Details;
        Assert.NotNull(details);
        Assert.Equal(Environment.ProcessId, details.Pid);
        Assert.Equal(Environment.UserName, details.User);
        Assert.True(details.Memory > 0);
    }

    [Fact]
    public void No_details_for_a_process_that_does_not_exist()
    {
        // Above any pid_max the kernel allows.
        _processes.Tell(new GetProcessDetails(int.MaxValue));

        Assert.Null(ExpectMsg<ProcessDetailsResult>(Patience).Details);
    }

    [Fact]
    public void Answers_a_sampling_round_with_the_process_list()
    {
        _processes.Tell(new CollectReading(7, DateTime.UtcNow));

        var reading = ExpectMsg<CollectorReading>(Patience);
        Assert.Equal(7, reading.Round);
        var section = Assert.IsType<ProcessesSection>(reading.Section);
        Assert.True(section.Total > 1);
    }

    [Fact]
    public async Task Signal_15_ends_a_child_process()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            // Only a process a collection has seen is signalled.
            _processes.Tell(new CollectReading(1, DateTime.UtcNow));
            ExpectMsg<CollectorReading>(Patience);
            _processes.Tell(new SignalProcess(child.Id, 15));

            ExpectMsg(new SignalProcessResult(SignalOutcome.Sent), Patience);
            using var deadline = new CancellationTokenSource(Patience);
            await child.WaitForExitAsync(deadline.Token);
            // Ended by SIGTERM: 128 + 15.
            Assert.Equal(143, child.ExitCode);
        }
        finally
        {
            if (!child.HasExited)
                child.Kill();
        }
    }

    [Fact]
    public void A_process_started_after_the_last_collection_is_not_signalled()
    {
        _processes.Tell(new CollectReading(1, DateTime.UtcNow));
        ExpectMsg<CollectorReading>(Patience);
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            _processes.Tell(new SignalProcess(child.Id, 15));

            ExpectMsg(new SignalProcessResult(SignalOutcome.NoSuchProcess), Patience);
            Assert.False(child.HasExited);
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void Signal_to_a_process_that_does_not_exist()
    {
        _processes.Tell(new SignalProcess(int.MaxValue, 15));

        ExpectMsg(new SignalProcessResult(SignalOutcome.NoSuchProcess), Patience);
    }
}
