using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LinqToDB;
using Tyto.Actors.Agents;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests.Agents;

/// <summary>The cluster's CA in a real database shared by nodes that each have a data dir of their own; run on each provider.</summary>
public abstract class ClusterAuthorityStoreTests : IDisposable
{
    private const string Secret = "correct horse battery staple";

    private readonly string _root = Directory.CreateTempSubdirectory("tyto-cluster-ca-").FullName;
    private readonly TestDatabase _shared;

    protected ClusterAuthorityStoreTests(string provider)
    {
        _shared = new TestDatabase(provider, "tyto-cluster-db-");
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        _shared.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_second_node_opens_the_ca_the_first_stored_and_verifies_what_the_first_issued()
    {
        using var first = Load("node-a");
        using var second = Load("node-b");

        Assert.Equal(first.Fingerprint, second.Fingerprint);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = first.SignAgent(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(), "web-1");
        using var agentCertificate = X509Certificate2.CreateFromPem(issued.Pem);
        Assert.True(second.Verify(agentCertificate, out var agentId, out _, out var error), error);
        Assert.Equal("web-1", agentId);
        using var nodeCertificate = second.IssueNodeCertificate("10.0.0.2");
        Assert.True(first.VerifyNode(nodeCertificate, out error), error);
    }

    [Fact]
    public void The_database_holds_the_key_only_encrypted_and_no_node_keeps_a_copy()
    {
        using var node = Load("node-a");

        using var db = _shared.Database.Open();
        var row = Assert.Single(db.GetTable<ClusterAuthorityRecord>().ToList());
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", row.EncryptedKey, StringComparison.Ordinal);
        Assert.DoesNotContain("-----BEGIN PRIVATE KEY-----", row.EncryptedKey, StringComparison.Ordinal);
        Assert.Equal(node.CertificatePem, row.Certificate);
        Assert.False(Directory.Exists(Path.Combine(_root, "node-a", "ca")));
    }

    [Fact]
    public void A_wrong_secret_is_refused_with_a_message_naming_the_key()
    {
        Load("node-a").Dispose();

        var refused = Assert.Throws<ClusterSecretException>(() =>
            ClusterAuthorityStore.LoadOrCreate(_shared.Database, "another secret entirely", DataDir("node-b"), TimeProvider.System));

        Assert.Contains("Tyto:Cluster:Secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_starting_at_once_all_end_with_one_ca()
    {
        var nodes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Load($"node-{i}"))));

        try
        {
            Assert.Single(nodes.Select(n => n.Fingerprint).Distinct());
            using var db = _shared.Database.Open();
            Assert.Equal(1, db.GetTable<ClusterAuthorityRecord>().Count());
        }
        finally
        {
            foreach (var node in nodes)
                node.Dispose();
        }
    }

    [Fact]
    public void The_first_node_brings_the_ca_it_had_alone_so_its_agents_keep_trusting_it()
    {
        string fingerprint;
        using (var alone = CertificateAuthority.LoadOrCreate(DataDir("node-a"), TimeProvider.System))
            fingerprint = alone.Fingerprint;

        using var clustered = Load("node-a");
        using var joining = Load("node-b");

        Assert.Equal(fingerprint, clustered.Fingerprint);
        Assert.Equal(fingerprint, joining.Fingerprint);
    }

    [Fact]
    public void A_node_certificate_of_another_ca_and_an_agent_certificate_of_this_one_are_refused_as_nodes()
    {
        using var cluster = Load("node-a");
        using var stranger = CertificateAuthority.Create(TimeProvider.System);
        using var strangerNode = stranger.IssueNodeCertificate("127.0.0.1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var agent = X509Certificate2.CreateFromPem(
            cluster.SignAgent(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem(), "web-1").Pem);

        Assert.False(cluster.VerifyNode(strangerNode, out var error));
        Assert.NotNull(error);
        Assert.False(cluster.VerifyNode(agent, out error));
        Assert.NotNull(error);
    }

    private CertificateAuthority Load(string node) => ClusterAuthorityStore.LoadOrCreate(_shared.Database, Secret, DataDir(node), TimeProvider.System);

    private string DataDir(string node) => Directory.CreateDirectory(Path.Combine(_root, node)).FullName;
}

public sealed class ClusterAuthorityStoreTestsOnSqlite() : ClusterAuthorityStoreTests(TytoDatabase.Sqlite);

public sealed class ClusterAuthorityStoreTestsOnPostgres() : ClusterAuthorityStoreTests(TytoDatabase.Postgres);
