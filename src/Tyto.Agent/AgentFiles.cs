using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tyto.Agent;

/// <summary>
/// What an agent keeps in its data dir to be who it is: its key (readable by the owner only), its certificate and the
/// CA's once enrolled, the CA fingerprint it pinned at first contact, and the secret it polls a pending enrollment with.
/// </summary>
public sealed class AgentFiles(string dataDir)
{
    public string KeyPath { get; } = Path.Combine(dataDir, "agent.key");

    public string CertificatePath { get; } = Path.Combine(dataDir, "agent.crt");

    public string CaPath { get; } = Path.Combine(dataDir, "ca.crt");

    public string PinPath { get; } = Path.Combine(dataDir, "ca.fingerprint");

    public string SecretPath { get; } = Path.Combine(dataDir, "enrollment.secret");

    public string OutboxPath { get; } = Path.Combine(dataDir, Outbox.FileName);

    public bool IsEnrolled => File.Exists(CertificatePath) && File.Exists(KeyPath) && File.Exists(CaPath);

    /// <summary>A certificate signing request for <paramref name="agentId"/> with the agent's key, created on first use (ECDSA P-256).</summary>
    public string CreateSigningRequest(string agentId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(KeyPath))
            key.ImportFromPem(File.ReadAllText(KeyPath));
        else
            WritePrivate(KeyPath, key.ExportPkcs8PrivateKeyPem());
        return new CertificateRequest($"CN={agentId}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }

    /// <summary>The secret a pending enrollment is polled with, chosen at random on first use.</summary>
    public string Secret()
    {
        if (!File.Exists(SecretPath))
            WritePrivate(SecretPath, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        return File.ReadAllText(SecretPath).Trim();
    }

    /// <summary>Whether an enrollment is pending: a secret was chosen and no certificate came yet.</summary>
    public bool IsPending => File.Exists(SecretPath) && !IsEnrolled;

    /// <summary>Keeps what an approved enrollment returned; the secret is no longer needed.</summary>
    public void StoreCertificate(string certificatePem, string caPem)
    {
        File.WriteAllText(CaPath, caPem);
        File.WriteAllText(CertificatePath, certificatePem);
        File.Delete(SecretPath);
    }

    /// <summary>Forgets a pending enrollment the server no longer knows, so that the agent asks again.</summary>
    public void ForgetPending() => File.Delete(SecretPath);

    /// <summary>The agent's certificate with its key, for mutual TLS.</summary>
    public X509Certificate2 ClientCertificate() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(content);
    }
}
