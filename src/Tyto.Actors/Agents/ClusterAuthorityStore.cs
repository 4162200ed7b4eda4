using System.Security.Cryptography;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Mapping;
using Tyto.Actors.Persistence;

namespace Tyto.Actors.Agents;

/// <summary>The one row of the <c>cluster_ca</c> table: the cluster's CA certificate and its key, encrypted with the cluster secret.</summary>
[Table("cluster_ca")]
public sealed class ClusterAuthorityRecord
{
    /// <summary>Always <see cref="ClusterAuthorityStore.RowId"/>: the key that makes a second CA impossible.</summary>
    [PrimaryKey, Column("id")]
    public int Id { get; set; }

    [Column("certificate", Length = 8000), NotNull]
    public string Certificate { get; set; } = "";

    /// <summary>PKCS#8 EncryptedPrivateKeyInfo (PEM): never the key in clear.</summary>
    [Column("encrypted_key", Length = 8000), NotNull]
    public string EncryptedKey { get; set; } = "";

    [Column("created_at"), NotNull]
    public DateTime CreatedAt { get; set; }
}

/// <summary>The cluster secret does not open the CA in the shared database: this node was given another secret than the first.</summary>
public sealed class ClusterSecretException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The CA of a cluster, kept in the shared database so that every node enrolls agents and verifies their certificates
/// with the same one, and issues itself a remoting certificate, without anyone copying a key. The key is stored
/// encrypted with the cluster secret (<c>Tyto:Cluster:Secret</c>), which every node is given and the database never sees.
/// </summary>
public static class ClusterAuthorityStore
{
    public const int RowId = 1;

    public static void CreateTable(DataConnection db) => db.CreateTable<ClusterAuthorityRecord>(tableOptions: TableOptions.CreateIfNotExists);

    /// <summary>
    /// The cluster's CA, decrypted with <paramref name="secret"/>. The first node stores one: the CA already in its data
    /// dir if it has one (agents enrolled while it ran alone keep trusting it), else a new one. Nodes that start at once
    /// each offer theirs; the database keeps the first and every node reads back that one.
    /// </summary>
    /// <exception cref="ClusterSecretException"><paramref name="secret"/> is not the one the CA was stored with.</exception>
    public static CertificateAuthority LoadOrCreate(TytoDatabase database, string secret, string dataDir, TimeProvider time)
    {
        using var db = database.Open();
        var stored = Read(db);
        if (stored is null)
        {
            using var offered = CertificateAuthority.ExistsIn(dataDir) ? CertificateAuthority.LoadOrCreate(dataDir, time) : CertificateAuthority.Create(time);
            // Plain SQL that SQLite and PostgreSQL both run: of two nodes offering a CA at once, the second inserts nothing.
            db.Execute(
                "INSERT INTO cluster_ca (id, certificate, encrypted_key, created_at) VALUES (@id, @certificate, @key, @at) ON CONFLICT (id) DO NOTHING",
                new DataParameter("id", RowId),
                new DataParameter("certificate", offered.CertificatePem),
                new DataParameter("key", offered.ExportEncryptedKeyPem(secret)),
                new DataParameter("at", time.GetUtcNow().UtcDateTime));
            stored = Read(db) ?? throw new InvalidOperationException("The cluster CA was stored but cannot be read back.");
        }
        try
        {
            return CertificateAuthority.FromEncryptedPem(stored.Certificate, stored.EncryptedKey, secret, time);
        }
        catch (CryptographicException e)
        {
            throw new ClusterSecretException(
                "Tyto:Cluster:Secret does not open the cluster CA in the database: every node of a cluster needs the secret the first node was started with.", e);
        }
    }

    private static ClusterAuthorityRecord? Read(DataConnection db) => db.GetTable<ClusterAuthorityRecord>().FirstOrDefault(r => r.Id == RowId);
}
