using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tyto.Agent.Tests;

/// <summary>An agent's data dir as enrollment leaves it, with a CA of the test's own: the agent starts straight with its channel.</summary>
public static class TestCertificates
{
    public static void Enroll(string dataDir, string agentId)
    {
        var files = new AgentFiles(dataDir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        var csr = CertificateRequest.LoadSigningRequestPem(files.CreateSigningRequest(agentId), HashAlgorithmName.SHA256);
        using var issued = csr.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3]);
        files.StoreCertificate(issued.ExportCertificatePem(), ca.ExportCertificatePem());
    }
}
