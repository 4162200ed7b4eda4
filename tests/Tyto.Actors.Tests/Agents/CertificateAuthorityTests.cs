using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Tyto.Actors.Agents;
using Tyto.Collection.Channel;

namespace Tyto.Actors.Tests.Agents;

/// <summary>Tyto's CA on real files: created once, kept private, signing only sound CSRs, verifying only its own client certificates.</summary>
public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tyto-ca-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void It_is_created_once_and_loaded_again_with_the_same_fingerprint()
    {
        string fingerprint;
        using (var created = CertificateAuthority.LoadOrCreate(_dataDir, _time))
            fingerprint = created.Fingerprint;
        using var loaded = CertificateAuthority.LoadOrCreate(_dataDir, _time);

        Assert.Matches("^sha256:[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, loaded.Fingerprint);
        Assert.Equal(fingerprint, AgentWire.FingerprintOf(X509Certificate2.CreateFromPem(loaded.CertificatePem)));
    }

    [Fact]
    public void Its_key_is_readable_by_the_owner_only()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dataDir, "ca", "ca.key")));
    }

    [Fact]
    public void It_signs_an_ecdsa_csr_as_a_client_certificate_for_the_agent_whatever_subject_was_asked()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var issued = ca.SignAgent(Csr(new CertificateRequest("CN=someone-else", key, HashAlgorithmName.SHA256)), "web-1");

        using var certificate = X509Certificate2.CreateFromPem(issued.Pem);
        Assert.Equal("CN=web-1", certificate.Subject);
        Assert.Equal(certificate.SerialNumber, issued.Serial);
        Assert.Equal(_time.GetUtcNow().UtcDateTime + CertificateAuthority.AgentCertificateLifetime, issued.ExpiresAt, TimeSpan.FromSeconds(1));
        var usage = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal("1.3.6.1.5.5.7.3.2", Assert.Single(usage.EnhancedKeyUsages.Cast<Oid>()).Value);
        Assert.True(ca.Verify(certificate, out var agentId, out var serial, out var error), error);
        Assert.Equal(("web-1", issued.Serial), (agentId, serial));
    }

    [Fact]
    public void It_signs_an_rsa_2048_csr()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var key = RSA.Create(2048);

        var issued = ca.SignAgent(Csr(new CertificateRequest("CN=db", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), "db");

        using var certificate = X509Certificate2.CreateFromPem(issued.Pem);
        Assert.True(ca.Verify(certificate, out var agentId, out _, out var error), error);
        Assert.Equal("db", agentId);
    }

    [Fact]
    public void It_refuses_an_unreadable_csr()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);

        Assert.Throws<InvalidCsrException>(() => ca.SignAgent("-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----", "web-1"));
        Assert.Throws<InvalidCsrException>(() => ca.SignAgent("not a csr", "web-1"));
    }

    [Fact]
    public void It_refuses_a_csr_whose_signature_is_wrong()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest("CN=web-1", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        // The signature is the last bytes of the DER: change one and the request no longer matches its key.
        der[^2] ^= 0x01;

        Assert.Throws<InvalidCsrException>(() => ca.SignAgent(PemEncoding.WriteString("CERTIFICATE REQUEST", der), "web-1"));
    }

    [Fact]
    public void It_refuses_a_csr_with_a_weak_rsa_key()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var key = RSA.Create(1024);

        var refused = Assert.Throws<InvalidCsrException>(() =>
            ca.SignAgent(Csr(new CertificateRequest("CN=old", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), "old"));
        Assert.Contains("2048", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void It_refuses_a_client_certificate_from_another_ca()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        var otherDir = Directory.CreateTempSubdirectory("tyto-ca-").FullName;
        try
        {
            using var other = CertificateAuthority.LoadOrCreate(otherDir, _time);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var foreign = X509Certificate2.CreateFromPem(other.SignAgent(Csr(new CertificateRequest("CN=web-1", key, HashAlgorithmName.SHA256)), "web-1").Pem);

            Assert.False(ca.Verify(foreign, out _, out _, out var error));
            Assert.False(string.IsNullOrEmpty(error));
        }
        finally
        {
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Fact]
    public void It_refuses_an_expired_client_certificate()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = X509Certificate2.CreateFromPem(ca.SignAgent(Csr(new CertificateRequest("CN=web-1", key, HashAlgorithmName.SHA256)), "web-1").Pem);

        _time.Advance(CertificateAuthority.AgentCertificateLifetime + TimeSpan.FromDays(1));

        Assert.False(ca.Verify(certificate, out _, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void It_refuses_its_server_certificate_used_as_a_client_certificate()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dataDir, _time);
        using var server = ca.IssueServerCertificate(["tyto.example"]);

        Assert.False(ca.Verify(server, out _, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    private static string Csr(CertificateRequest request) => request.CreateSigningRequestPem();
}
