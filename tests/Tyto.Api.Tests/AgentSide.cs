using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tyto.Actors.Agents;
using Tyto.Collection.Channel;

namespace Tyto.Api.Tests;

/// <summary>The agent's side of the agent endpoint, played by a test: keys, certificates, HTTPS and the channel's WebSocket.</summary>
public static class AgentSide
{
    public static string Csr(string subject = "CN=test-agent")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }

    /// <summary>A client certificate with its key, signed by the CA in <paramref name="dataDir"/> (a host's, or another one), valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static X509Certificate2 Certificate(string dataDir, string agentId, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var caCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dataDir, "ca", "ca.crt"));
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(dataDir, "ca", "ca.key")));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={agentId}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCertificate, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(
            caCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A certificate of another CA, made in a data dir of its own.</summary>
    public static X509Certificate2 ForeignCertificate(string agentId)
    {
        var dataDir = TytoHost.NewDataDir();
        try
        {
            CertificateAuthority.LoadOrCreate(dataDir, TimeProvider.System).Dispose();
            return Certificate(dataDir, agentId);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>A client of the agent endpoint that trusts only the host's CA, which the server sends with its certificate.</summary>
    public static HttpClient Client(TytoHost host, X509Certificate2? certificate = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = SslOptions(host, certificate) };
        return new HttpClient(handler) { BaseAddress = host.AgentAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static async Task<ClientWebSocket> ConnectAsync(TytoHost host, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.ClientCertificates = [certificate];
        socket.Options.RemoteCertificateValidationCallback = SslOptions(host, certificate).RemoteCertificateValidationCallback;
        try
        {
            await socket.ConnectAsync(new UriBuilder(host.AgentAddress) { Scheme = "wss", Path = AgentWire.ChannelPath }.Uri, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task SendAsync(this WebSocket socket, ChannelFrame frame, CancellationToken cancellationToken) =>
        socket.SendAsync(AgentWire.Serialize(frame), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public static async Task<ChannelFrame?> ReceiveAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[AgentWire.MaxFrameBytes];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return AgentWire.Deserialize(buffer.AsSpan(0, length));
    }

    /// <summary>The next frame of type <typeparamref name="T"/>, skipping others (acknowledgements, commands it does not wait for).</summary>
    public static async Task<T> ReceiveAsync<T>(this WebSocket socket, CancellationToken cancellationToken)
        where T : ChannelFrame
    {
        while (true)
        {
            var frame = await socket.ReceiveAsync(cancellationToken);
            if (frame is T wanted)
                return wanted;
            Assert.True(frame is not null, $"The server closed the channel before sending a {typeof(T).Name}");
        }
    }

    private static SslClientAuthenticationOptions SslOptions(TytoHost host, X509Certificate2? certificate)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(host.DataDir, "ca", "ca.crt"));
        return new SslClientAuthenticationOptions
        {
            ClientCertificates = certificate is null ? null : [certificate],
            RemoteCertificateValidationCallback = (_, server, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return server is X509Certificate2 presented && chain.Build(presented);
            },
        };
    }
}
