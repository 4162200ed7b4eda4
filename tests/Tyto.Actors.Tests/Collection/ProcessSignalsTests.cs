using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class ProcessSignalsTests
{
    [Fact]
    public void This_machines_proc_numbers_processes_as_kill_does()
    {
        Assert.True(ProcessSignals.SharesPidNamespace(HostRoot.Live));
    }

    [Fact]
    public void A_captured_tree_is_another_pid_namespace()
    {
        Assert.True(Directory.Exists(Path.Combine(Fixtures.PathOf(Fixtures.HostVm), "proc", "self")));

        Assert.False(ProcessSignals.SharesPidNamespace(Fixtures.Root(Fixtures.HostVm)));
    }

    [Fact]
    public void A_proc_that_numbers_this_process_in_an_outer_namespace_is_another_pid_namespace()
    {
        // What a host's procfs mounted into a container shows as self: this very process, so the same namespace link,
        // but numbered from the host's namespace down to the container's.
        var tree = Directory.CreateTempSubdirectory("tyto-outer-proc-").FullName;
        try
        {
            var self = Directory.CreateDirectory(Path.Combine(tree, "proc", "self", "ns")).Parent!.FullName;
            File.CreateSymbolicLink(Path.Combine(self, "ns", "pid"), new FileInfo("/proc/self/ns/pid").LinkTarget!);
            File.WriteAllText(Path.Combine(self, "status"), $"Name:\ttyto\nNSpid:\t{Environment.ProcessId + 40000}\t{Environment.ProcessId}\n");

            Assert.False(ProcessSignals.SharesPidNamespace(new HostRoot(tree)));
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    [Theory]
    [InlineData("Name:\tsleep\nNSpid:\t5738\nNSpgid:\t5738\n", new[] { 5738 })]
    [InlineData("Name:\tsleep\nNSpid:\t91234\t7\n", new[] { 91234, 7 })]
    [InlineData("Name:\tsleep\nPid:\t7\n", new int[0])]
    [InlineData("NSpid:\t7\tx\n", new int[0])]
    public void Namespace_pids_from_status(string status, int[] expected)
    {
        Assert.Equal(expected, ProcessSignals.ParseNamespacePids(status));
    }

    [Fact]
    public void Namespace_pids_from_a_captured_status()
    {
        Assert.Equal([5738], ProcessSignals.ParseNamespacePids(Fixtures.Read(Fixtures.HostVm, "proc/5738/status")));
    }
}
