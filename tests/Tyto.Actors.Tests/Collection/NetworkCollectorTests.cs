using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Tyto.Collection;

namespace Tyto.Actors.Tests.Collection;

public sealed class NetworkCollectorTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 1, 50, 0, DateTimeKind.Utc);

    [Fact]
    public void Net_dev_gives_received_and_sent_bytes_per_interface()
    {
        var counters = NetworkCollector.ParseNetDev(Fixtures.Read(Fixtures.HostBigIron, "proc/net/dev"));

        Assert.Equal(
            [
                new InterfaceCounters("lo", 987654321, 987654321),
                new InterfaceCounters("eth0", 123456789012, 98765432109),
                new InterfaceCounters("eth1", 5555555555, 3333333333),
                new InterfaceCounters("bond0", 0, 0),
                new InterfaceCounters("docker0", 7777777, 8888888),
            ],
            counters);
    }

    [Fact]
    public void Ipv4_addresses_are_mapped_to_interfaces_through_the_routing_table()
    {
        var addresses = NetworkCollector.ParseIpv4Addresses(
            Fixtures.Read(Fixtures.HostBigIron, "proc/net/fib_trie"), Fixtures.Read(Fixtures.HostBigIron, "proc/net/route"));

        // 10.20.0.15 lies in eth0's 10.20.0.0/24 and in the 10.0.0.0/8 routed via eth1: the longer prefix wins.
        // eth0's second address 10.20.0.16 comes after the first; bond0 has none.
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["eth0"] = "10.20.0.15",
                ["lo"] = "127.0.0.1",
                ["docker0"] = "172.17.0.1",
                ["eth1"] = "192.168.50.3",
            },
            addresses);
    }

    [Fact]
    public void Ipv6_prefers_a_global_address_to_a_link_local_one()
    {
        var addresses = NetworkCollector.ParseIpv6Addresses(Fixtures.Read(Fixtures.HostBigIron, "proc/net/if_inet6"));

        Assert.Equal("2001:db8:10::15", addresses["eth0"]);
        Assert.Equal("fe80::a00:27ff:fe4e:6a12", addresses["eth1"]);
        Assert.Equal("::1", addresses["lo"]);
        Assert.False(addresses.ContainsKey("bond0"));
    }

    [Fact]
    public void Established_connections_come_from_the_tcp_counters_of_snmp()
    {
        Assert.Equal(7, NetworkCollector.ParseEstablished(Fixtures.Read(Fixtures.HostBigIron, "proc/net/snmp")));
        Assert.Equal(0, NetworkCollector.ParseEstablished(""));
        Assert.Equal(0, NetworkCollector.ParseEstablished("Tcp: RtoAlgorithm CurrEstab\nTcp: 1\n"));
    }

    [Fact]
    public void Big_server_interfaces_with_addresses_and_connection_count()
    {
        var network = (NetworkSection)new NetworkCollector(Fixtures.Root(Fixtures.HostBigIron)).Collect(T0);

        Assert.Equal(7, network.ConnectionCount);
        Assert.Equal(
            [
                new NetworkInterfaceSample("lo", "127.0.0.1", "::1", 987654321, 987654321, 0, 0),
                new NetworkInterfaceSample("eth0", "10.20.0.15", "2001:db8:10::15", 123456789012, 98765432109, 0, 0),
                new NetworkInterfaceSample("eth1", "192.168.50.3", "fe80::a00:27ff:fe4e:6a12", 5555555555, 3333333333, 0, 0),
                new NetworkInterfaceSample("bond0", null, null, 0, 0, 0, 0),
                new NetworkInterfaceSample("docker0", "172.17.0.1", "fe80::42c9:fffe:12ab:34cd", 7777777, 8888888, 0, 0),
            ],
            network.Interfaces);
    }

    [Fact]
    public void Vm_addresses_and_the_connections_open_during_the_capture()
    {
        var network = (NetworkSection)new NetworkCollector(Fixtures.Root(Fixtures.HostVm)).Collect(T0);

        var eth0 = Assert.Single(network.Interfaces, i => i.Name == "eth0");
        Assert.Equal("192.0.2.2", eth0.Ipv4);
        // fd00::2 has global scope (00), fe80::fc:ff:fe00:1 link scope (20).
        Assert.Equal("fd00::2", eth0.Ipv6);
        Assert.Equal("127.0.0.1", Assert.Single(network.Interfaces, i => i.Name == "lo").Ipv4);
        Assert.Null(Assert.Single(network.Interfaces, i => i.Name == "ifb0").Ipv4);
        // The capture held one loopback connection over IPv4 and one over IPv6, both ends of each counted.
        Assert.Equal(4, network.ConnectionCount);
    }

    [Fact]
    public void Rates_from_two_snapshots_of_the_vm()
    {
        using var host = new FixtureCopy(Fixtures.HostVm);
        var collector = new NetworkCollector(host.Root);

        collector.Collect(T0);
        host.Overlay(Fixtures.HostVmLater);
        var network = (NetworkSection)collector.Collect(T0.AddSeconds(Fixtures.VmCaptureGapSeconds));

        // 8 MiB went over loopback between the captures: lo received and sent 41753 -> 8451109 bytes.
        var lo = Assert.Single(network.Interfaces, i => i.Name == "lo");
        Assert.Equal(8451109, lo.RxBytes);
        Assert.Equal(Math.Round((8451109 - 41753) / 3.0, 1), lo.RxRate);
        Assert.Equal(Math.Round((8451109 - 41753) / 3.0, 1), lo.TxRate);
        var eth0 = Assert.Single(network.Interfaces, i => i.Name == "eth0");
        Assert.Equal(0, eth0.RxRate);
        Assert.Equal(0, eth0.TxRate);
    }

    [Fact]
    public void Counter_that_went_backwards_gives_a_zero_rate()
    {
        Assert.Equal(0, Rates.PerSecond(1000, 10, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, Rates.PerSecond(10, 1000, TimeSpan.Zero));
        Assert.Equal(495, Rates.PerSecond(10, 1000, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Live_host_lists_the_kernels_interfaces_and_counts_an_open_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();

        var network = (NetworkSection)new NetworkCollector(HostRoot.Live).Collect(DateTime.UtcNow);

        var names = NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).Order(StringComparer.Ordinal);
        Assert.Equal(names, network.Interfaces.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal("127.0.0.1", Assert.Single(network.Interfaces, i => i.Name == "lo").Ipv4);
        // Both ends of the connection above, at least.
        Assert.True(network.ConnectionCount >= 2, $"{network.ConnectionCount} established connections");
    }
}
