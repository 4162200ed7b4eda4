using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Tyto.Collection.Channel;

namespace Tyto.Actors.Agents;

/// <summary>A certificate issued to an agent: PEM, serial (hex, as <see cref="X509Certificate2.SerialNumber"/> gives it) and end of validity.</summary>
public sealed record IssuedCertificate(string Pem, string Serial, DateTime ExpiresAt);

/// <summary>A CSR that cannot be signed: unreadable, badly signed, or with a key too weak.</summary>
public sealed class InvalidCsrException(string message) : Exception(message);

/// <summary>
/// Tyto's own certificate authority, which agents pin by its fingerprint: created on first start in the data dir (its
/// key readable by the owner only), it issues the agent endpoint's server certificate and each agent's client
/// certificate, and verifies the certificates agents present. Built on the BCL's X509 APIs only.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    public static readonly TimeSpan AgentCertificateLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan ServerCertificateLifetime = TimeSpan.FromDays(90);

    /// <summary>A node's remoting certificate is issued at each start: a node must restart within this time.</summary>
    public static readonly TimeSpan NodeCertificateLifetime = TimeSpan.FromDays(365);

    /// <summary>The common name of every node certificate begins so, and no agent's can: agent ids have no space.</summary>
    public const string NodeSubjectPrefix = "Tyto node ";

    /// <summary>PBKDF2 iterations guarding an exported CA key: OWASP's figure for PBKDF2-HMAC-SHA256.</summary>
    public const int KeyEncryptionIterations = 600_000;

    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key, TimeProvider time)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
        Fingerprint = AgentWire.FingerprintOf(certificate);
        CertificatePem = certificate.ExportCertificatePem();
    }

    /// <summary>The CA certificate, without its key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem { get; }

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of the CA certificate (DER): what agents pin.</summary>
    public string Fingerprint { get; }

    /// <summary>Whether <paramref name="dataDir"/> holds a CA that <see cref="LoadOrCreate"/> would load.</summary>
    public static bool ExistsIn(string dataDir) =>
        File.Exists(Path.Combine(dataDir, "ca", "ca.key")) && File.Exists(Path.Combine(dataDir, "ca", "ca.crt"));

    /// <summary>The CA kept in <c>&lt;dataDir&gt;/ca</c>, created there on first use.</summary>
    public static CertificateAuthority LoadOrCreate(string dataDir, TimeProvider time)
    {
        var directory = Path.Combine(dataDir, "ca");
        var keyPath = Path.Combine(directory, "ca.key");
        var certificatePath = Path.Combine(directory, "ca.crt");
        if (ExistsIn(dataDir))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            return new CertificateAuthority(X509CertificateLoader.LoadCertificate(File.ReadAllBytes(certificatePath)), key, time);
        }
        Directory.CreateDirectory(directory);
        var created = Create(time);
        WritePrivate(keyPath, created._key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, created.CertificatePem);
        return created;
    }

    /// <summary>A new CA, kept nowhere yet.</summary>
    public static CertificateAuthority Create(TimeProvider time)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"CN=Tyto CA {Guid.NewGuid():N}", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var withKey = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        return new CertificateAuthority(X509CertificateLoader.LoadCertificate(withKey.RawData), key, time);
    }

    /// <summary>The CA whose certificate and passphrase-encrypted key <see cref="ExportEncryptedKeyPem"/> gave.</summary>
    /// <exception cref="CryptographicException"><paramref name="passphrase"/> does not decrypt the key, or the PEM is unreadable.</exception>
    public static CertificateAuthority FromEncryptedPem(string certificatePem, string encryptedKeyPem, string passphrase, TimeProvider time)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromEncryptedPem(encryptedKeyPem, passphrase);
            var certificate = X509Certificate2.CreateFromPem(certificatePem);
            if (!certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
                throw new CryptographicException("The CA key does not belong to the CA certificate.");
            return new CertificateAuthority(certificate, key, time);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The CA key as PKCS#8 EncryptedPrivateKeyInfo (PEM) under <paramref name="passphrase"/>: AES-256-CBC with a key from
    /// PBKDF2-SHA256 at <see cref="KeyEncryptionIterations"/> iterations, so a stolen copy costs a guesser that much per try.
    /// </summary>
    public string ExportEncryptedKeyPem(string passphrase) =>
        _key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KeyEncryptionIterations));

    /// <summary>A certificate with its key for the agent endpoint, naming this machine, loopback and <paramref name="names"/>.</summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Tyto agent endpoint", key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Append("localhost").Append(Environment.MachineName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name, out var address))
                alternativeNames.AddIpAddress(address);
            else
                alternativeNames.AddDnsName(name);
        }
        alternativeNames.AddIpAddress(IPAddress.Loopback);
        alternativeNames.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(alternativeNames.Build());
        AddLeafExtensions(request, [ServerAuthentication], X509KeyUsageFlags.DigitalSignature);
        var now = _time.GetUtcNow();
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now.Add(ServerCertificateLifetime), NewSerial());
        using var withKey = issued.CopyWithPrivateKey(key);
        // Kestrel needs a key it can use for TLS on every platform: a PKCS#12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A certificate with its key for this server node's cluster remoting, valid for TLS as server and as client, naming
    /// <paramref name="hostname"/>; issued at each start, so it never sits on disk and lives as long as the node runs.
    /// </summary>
    public X509Certificate2 IssueNodeCertificate(string hostname)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={NodeSubjectPrefix}{hostname}"), key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(hostname, out var address))
            alternativeNames.AddIpAddress(address);
        else
            alternativeNames.AddDnsName(hostname);
        request.CertificateExtensions.Add(alternativeNames.Build());
        AddLeafExtensions(request, [ServerAuthentication, ClientAuthentication], X509KeyUsageFlags.DigitalSignature);
        var now = _time.GetUtcNow();
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now.Add(NodeCertificateLifetime), NewSerial());
        using var withKey = issued.CopyWithPrivateKey(key);
        // SslStream needs a key it can use for TLS on every platform: a PKCS#12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> is a node certificate this CA issued (<see cref="IssueNodeCertificate"/>) and
    /// still valid now; otherwise why not. An agent's certificate, from the same CA, is refused: it is not for servers.
    /// </summary>
    public bool VerifyNode(X509Certificate2 certificate, out string? error)
    {
        if (!certificate.GetNameInfo(X509NameType.SimpleName, false).StartsWith(NodeSubjectPrefix, StringComparison.Ordinal))
        {
            error = "not a Tyto node certificate";
            return false;
        }
        return ChainsToThisCa(certificate, [ServerAuthentication, ClientAuthentication], out error);
    }

    /// <summary>Signs an agent's CSR (PEM) as a client certificate for <paramref name="agentId"/>, whatever subject the CSR asked for.</summary>
    /// <exception cref="InvalidCsrException">The CSR is unreadable, its signature wrong, or its key weaker than RSA 2048 or P-256.</exception>
    public IssuedCertificate SignAgent(string csrPem, string agentId)
    {
        var csr = ReadCsr(csrPem);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={agentId}"), csr.PublicKey, HashAlgorithmName.SHA256);
        AddLeafExtensions(request, [ClientAuthentication], X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
        var now = _time.GetUtcNow();
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now.Add(AgentCertificateLifetime), NewSerial());
        return new IssuedCertificate(issued.ExportCertificatePem(), issued.SerialNumber, issued.NotAfter.ToUniversalTime());
    }

    /// <summary>Checks that <see cref="SignAgent"/> would sign <paramref name="csrPem"/>, before anyone is asked to approve it.</summary>
    /// <exception cref="InvalidCsrException">The CSR is unreadable, its signature wrong, or its key too weak.</exception>
    public static void CheckCsr(string csrPem) => ReadCsr(csrPem);

    /// <summary>
    /// Whether <paramref name="certificate"/> is a client certificate this CA issued and still valid now; if so, the agent it
    /// names and its serial, otherwise why not.
    /// </summary>
    public bool Verify(X509Certificate2 certificate, out string agentId, out string serial, out string? error)
    {
        agentId = certificate.GetNameInfo(X509NameType.SimpleName, false);
        serial = certificate.SerialNumber;
        return ChainsToThisCa(certificate, [ClientAuthentication], out error);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private bool ChainsToThisCa(X509Certificate2 certificate, string[] usages, out string? error)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        foreach (var usage in usages)
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        if (!chain.Build(certificate))
        {
            error = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("not issued by this server's CA"));
            return false;
        }
        if (!chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span))
        {
            error = "not issued by this server's CA";
            return false;
        }
        error = null;
        return true;
    }

    private void AddLeafExtensions(CertificateRequest request, string[] usages, X509KeyUsageFlags keyUsage)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(usage => new Oid(usage))], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
    }

    private static CertificateRequest ReadCsr(string csrPem)
    {
        CertificateRequest csr;
        try
        {
            // Loading checks the request's signature against its own key.
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidCsrException($"The CSR cannot be read: {e.Message}");
        }
        CheckKey(csr.PublicKey);
        return csr;
    }

    private static void CheckKey(PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case RsaOid:
                using (var rsa = key.GetRSAPublicKey())
                {
                    if (rsa is null || rsa.KeySize < 2048)
                        throw new InvalidCsrException("The CSR's RSA key must have at least 2048 bits.");
                }
                break;
            case EcOid:
                using (var ec = key.GetECDsaPublicKey())
                {
                    if (ec is null || ec.KeySize < 256)
                        throw new InvalidCsrException("The CSR's EC key must have at least 256 bits.");
                }
                break;
            default:
                throw new InvalidCsrException($"The CSR's key type ({key.Oid.FriendlyName ?? key.Oid.Value}) is not RSA or EC.");
        }
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(content);
    }
}
