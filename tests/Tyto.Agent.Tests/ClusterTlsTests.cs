using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tyto.Actors.Agents;
using Tyto.Actors.Tests;

namespace Tyto.Agent.Tests;

/// <summary>Server nodes as separate processes: one CA for the cluster, and remoting that lets in only nodes it issued certificates to.</summary>
[SupportedOSPlatform("linux")]
public sealed class ClusterTlsTests
{
    [Fact]
    public async Task Two_nodes_on_one_database_form_one_cluster_with_one_ca_and_a_node_of_another_ca_never_joins()
    {
        await using var cluster = new ServerCluster();
        var a = await cluster.StartNodeAsync("node-a", seed: null);
        var b = await cluster.StartNodeAsync("node-b", seed: a);

        await a.Process.WaitForOutputAsync($"Leader is moving node [{b.Address}] to [Up]");
        await b.Process.WaitForOutputAsync($"Welcome from [{a.Address}]");
        Assert.Matches("^sha256:[0-9a-f]{64}$", a.CaFingerprint);
        Assert.Equal(a.CaFingerprint, b.CaFingerprint);
        // Each node monitors its own host under its own agent id; none as "local".
        foreach (var node in new[] { a, b })
        {
            using var api = await ServerCluster.SignInAsync(node);
            await Poll.UntilAsync(async () => await StatusOfAsync(api, $"/api/v1/agents/{node.Name}") == HttpStatusCode.OK, $"{node.Name} lists its own host");
            Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(api, "/api/v1/agents/local"));
        }

        // A database of its own: it makes a CA of its own, and its node certificate from it.
        var stranger = cluster.Node("stranger");
        await cluster.LaunchAsync(stranger, [a], cluster.NewDatabase(), "another-cluster-secret-0123");

        // The handshake fails, whichever side refuses first; Akka.Remote then stops the stranger, which says so and
        // exits with Akka.Remote's code for it (79), so that a service manager would try it again.
        Assert.Equal(79, await stranger.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(stranger.Process.Output.Contains("Tyto stopped: TLS handshake failed", StringComparison.Ordinal), stranger.Process.Output);
        await a.Process.WaitForOutputAsync("Rejected incoming connection");
        Assert.DoesNotContain("Welcome from", stranger.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"[{stranger.Address}] to [Up]", a.Process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"[{stranger.Address}] to [Up]", b.Process.Output, StringComparison.Ordinal);
        Assert.False(a.Process.HasExited);
        Assert.False(b.Process.HasExited);
    }

    [Fact]
    public async Task The_cluster_port_refuses_a_plain_client_one_without_a_certificate_and_one_with_a_node_certificate_of_another_ca()
    {
        await using var cluster = new ServerCluster();
        var node = await cluster.StartNodeAsync("node-a", seed: null);

        using (var plain = new TcpClient())
        {
            await plain.ConnectAsync("127.0.0.1", node.ClusterPort);
            var stream = plain.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: tyto\r\n\r\n"));
            Assert.True(await IsClosedAsync(stream), "the cluster port answered a plain client");
        }

        using var stranger = CertificateAuthority.Create(TimeProvider.System);
        using var strangerCertificate = stranger.IssueNodeCertificate("127.0.0.1");
        Assert.True(await IsRefusedAsync(node.ClusterPort, strangerCertificate), "the cluster port accepted a node certificate of another CA");
        await node.Process.WaitForOutputAsync("Refused the cluster connection of");
        Assert.True(await IsRefusedAsync(node.ClusterPort, null), "the cluster port accepted a client without a certificate");
    }

    private static async Task<HttpStatusCode> StatusOfAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        return response.StatusCode;
    }

    /// <summary>Whether the node ends a TLS connection that presents <paramref name="certificate"/> (none when null), while trusting whatever the node presents.</summary>
    private static async Task<bool> IsRefusedAsync(int port, X509Certificate2? certificate)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(client.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = certificate is null ? null : [certificate],
                // A stranger takes whatever certificate the node presents: the node's own check is under test.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null,
            });
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return true;
        }
        // With TLS 1.3 the server judges the client's certificate after the client's side of the handshake is done.
        return await IsClosedAsync(tls);
    }

    /// <summary>Whether the peer closes <paramref name="stream"/> (or resets it) without sending anything, within 30 s.</summary>
    private static async Task<bool> IsClosedAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await stream.ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return true;
        }
    }
}
