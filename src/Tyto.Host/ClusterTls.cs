using Akka.Event;
using Akka.Remote.Hosting;
using Tyto.Actors.Agents;
using Tyto.Actors.Persistence;

namespace Tyto.Host;

/// <summary>
/// Where a node's CA comes from, and the mutual TLS its remoting speaks: each node presents a certificate its CA issued
/// it at start, and accepts a peer, inbound or outbound, only when that peer's certificate chains to the same CA.
/// A stranger, or a node of another cluster, never gets past the handshake.
/// </summary>
public static class ClusterTls
{
    /// <summary>
    /// The cluster's CA from the shared database when a cluster secret is set; else the CA in the data dir, as a single
    /// node has always kept it.
    /// </summary>
    public static CertificateAuthority LoadAuthority(TytoOptions options, TytoDatabase database, TimeProvider time) =>
        options.Cluster.ReadSecret() is { } secret
            ? ClusterAuthorityStore.LoadOrCreate(database, secret, options.DataDir, time)
            : CertificateAuthority.LoadOrCreate(options.DataDir, time);

    /// <summary>Remoting on this node's address, with TLS both ways and certificates checked against <paramref name="authority"/>.</summary>
    public static RemoteOptions Remoting(TytoOptions.ClusterOptions cluster, CertificateAuthority authority) => new()
    {
        HostName = cluster.Hostname,
        Port = cluster.Port,
        EnableSsl = true,
        Ssl = new SslOptions
        {
            X509Certificate = authority.IssueNodeCertificate(cluster.Hostname),
            RequireMutualAuthentication = true,
            // Peers dial each other by whatever address the seeds and gossip give; the CA, not the name, is the check.
            ValidateCertificateHostname = false,
            CustomValidator = (certificate, _, peer, _, log) =>
            {
                string? error = "no certificate";
                if (certificate is not null && authority.VerifyNode(certificate, out error))
                    return true;
                log.Warning("Refused the cluster connection of {0}: {1}", peer, error);
                return false;
            },
        },
    };
}
