using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Tyto.Collection.Channel;

namespace Tyto.Agent;

/// <summary>
/// Which servers the agent trusts: those whose certificate chains up to the CA it pinned, by the fingerprint it was
/// given (<c>Tyto:Agent:CaFingerprint</c>) or, without one, the fingerprint it saw at first contact. Nothing else about
/// the server certificate counts: its CA is Tyto's own, known to no system trust store.
/// </summary>
public sealed partial class ServerTrust(AgentFiles files, string? configuredFingerprint, ILogger<ServerTrust> logger)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private X509Certificate2? _ca;

    /// <summary>The fingerprint the CA must have: the configured one, else the one pinned at first contact, else none yet.</summary>
    public string? Pin => configuredFingerprint ?? (File.Exists(files.PinPath) ? File.ReadAllText(files.PinPath).Trim() : null);

    /// <summary>Knows the CA from here on: the one kept in the data dir, or the server's, checked against the pin (or pinned).</summary>
    /// <exception cref="ServerRefusalException">The server's CA is not the pinned one.</exception>
    public async Task EnsureCaAsync(Uri server, CancellationToken cancellationToken)
    {
        var pin = Pin;
        if (_ca is not null && (pin is null || AgentWire.FingerprintOf(_ca) == pin))
            return;
        if (File.Exists(files.CaPath))
        {
            var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(files.CaPath, cancellationToken));
            if (pin is null || AgentWire.FingerprintOf(stored) == pin)
            {
                _ca = stored;
                return;
            }
        }
        // The CA is not known before this request: the server's certificate is kept and checked against the CA it returns.
        X509Certificate2? presented = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => (presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())) is not null },
        };
        using var client = new HttpClient(handler) { Timeout = RequestTimeout };
        var pem = await client.GetStringAsync(new Uri(server, AgentWire.CaPath), cancellationToken);
        var ca = X509Certificate2.CreateFromPem(pem);
        var fingerprint = AgentWire.FingerprintOf(ca);
        using (presented)
        {
            if (presented is null || !ChainsTo(presented, ca))
                throw new ServerRefusalException("CA_MISMATCH", $"the server's certificate is not issued by the CA {fingerprint} it returned");
        }
        if (pin is null)
        {
            await File.WriteAllTextAsync(files.PinPath, fingerprint, cancellationToken);
            LogPinned(logger, fingerprint);
        }
        else if (fingerprint != pin)
        {
            throw new ServerRefusalException("CA_MISMATCH", $"the server's CA is {fingerprint}, not the pinned {pin}");
        }
        await File.WriteAllTextAsync(files.CaPath, pem, cancellationToken);
        _ca = ca;
    }

    /// <summary>An HTTP client to the agent endpoint that trusts the pinned CA alone; <see cref="EnsureCaAsync"/> first.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Validate } }) { Timeout = RequestTimeout };

    /// <summary>Whether the server's certificate chains up to the pinned CA; the name it was reached by does not matter.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_ca is null || certificate is null)
            return false;
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return ChainsTo(server, _ca);
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "trusting the server CA {Fingerprint} seen at first contact; other agents can pin it with Tyto:Agent:CaFingerprint")]
    private static partial void LogPinned(ILogger logger, string fingerprint);
}

/// <summary>The server refused a request of the agent: the code and message of the API's error envelope.</summary>
public sealed class ServerRefusalException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
