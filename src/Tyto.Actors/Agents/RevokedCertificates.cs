namespace Tyto.Actors.Agents;

/// <summary>The serials of revoked agent certificates, which the agent endpoint refuses at the TLS handshake.</summary>
public interface IRevokedCertificates
{
    bool IsRevoked(string serial);
}
