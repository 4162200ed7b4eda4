using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tyto.Actors.Agents;

namespace Tyto.Api.AgentChannel;

/// <summary>
/// The Kestrel endpoint agents enroll and connect at (<c>Tyto:Agents:Listen</c>): TLS with a server certificate of Tyto's
/// CA, sent with the CA so an agent can pin its fingerprint, and client certificates checked at the handshake. Enrollment
/// comes without one; any other certificate must be one of the CA's, valid now and not revoked.
/// </summary>
public sealed partial class AgentListener(CertificateAuthority authority, IServiceProvider services, ILogger<AgentListener> logger)
{
    /// <summary>Every path of the agent endpoint starts so; no other path answers there, and none of these on the API's URLs.</summary>
    public const string PathPrefix = "/agent/v1";

    private ListenOptions? _listen;

    /// <summary>Where agents connect, once the server listens (the bound port where the configuration gave 0).</summary>
    public string Url => $"https://{_listen?.IPEndPoint ?? throw new InvalidOperationException("The agent endpoint is not configured.")}";

    public string Fingerprint => authority.Fingerprint;

    /// <summary>Why <paramref name="url"/> is not an https URL Kestrel can bind (an IP address, <c>localhost</c> or <c>*</c>, and a port), or null.</summary>
    public static string? UrlProblem(string? url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url ?? "");
        }
        catch (FormatException)
        {
            return "is not a URL such as https://0.0.0.0:8443";
        }
        return address.Scheme != "https" ? "must be an https URL"
            : address.IsUnixPipe || !IsBindable(address.Host) ? "must name an IP address, localhost or * to listen on"
            : address.Port is < 0 or > 65535 ? "must have a port from 0 (any free port) to 65535"
            : address.PathBase.Length > 0 ? "must not have a path"
            : null;
    }

    /// <summary>Binds <paramref name="address"/> as Kestrel binds a URL of <c>--urls</c>.</summary>
    public static void ListenAt(KestrelServerOptions kestrel, BindingAddress address, Action<ListenOptions> configure)
    {
        if (address.IsUnixPipe)
            kestrel.ListenUnixSocket(address.UnixPipePath, configure);
        else if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(address.Port, configure);
        else if (IPAddress.TryParse(address.Host, out var ip))
            kestrel.Listen(ip, address.Port, configure);
        else
            kestrel.ListenAnyIP(address.Port, configure);
    }

    /// <summary>Adds the agent endpoint at <paramref name="url"/> (checked by <see cref="UrlProblem"/>), with a fresh server certificate naming the host it listens on.</summary>
    public void Configure(KestrelServerOptions kestrel, string url)
    {
        var address = BindingAddress.Parse(url);
        var names = IPAddress.TryParse(address.Host, out _) ? [address.Host] : Array.Empty<string>();
        var certificate = SslStreamCertificateContext.Create(authority.IssueServerCertificate(names), [authority.Certificate], offline: true);
        ListenAt(kestrel, address, listen =>
        {
            _listen = listen;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificate,
                    // Asked for, not required: enrollment comes without one.
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, presented, _, _) => Admit(presented, context.Connection.RemoteEndPoint),
                }),
            });
            listen.Use(next => connection =>
            {
                connection.Features.Set(AgentConnectionFeature.Instance);
                return next(connection);
            });
        });
    }

    /// <summary>Whether a request came in through the agent endpoint.</summary>
    public static bool IsAgentRequest(HttpContext context) => context.Features.Get<AgentConnectionFeature>() is not null;

    /// <summary>Prints where agents connect and the fingerprint they pin.</summary>
    public void LogListening() => LogAgentsConnect(logger, Url, authority.Fingerprint);

    private static bool IsBindable(string host) =>
        host is "*" or "+" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out _);

    private bool Admit(X509Certificate? presented, EndPoint? remote)
    {
        if (presented is null)
            return true;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (!authority.Verify(certificate, out var agentId, out var serial, out var error))
        {
            LogCertificateRefused(logger, remote, agentId, error ?? "not valid");
            return false;
        }
        if (services.GetRequiredService<AgentDirectory>().IsRevoked(serial))
        {
            LogCertificateRefused(logger, remote, agentId, $"certificate {serial} is revoked");
            return false;
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agents connect to {Address}; CA fingerprint {Fingerprint}")]
    private static partial void LogAgentsConnect(ILogger logger, string address, string fingerprint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the client certificate of {Remote} for agent '{AgentId}': {Reason}")]
    private static partial void LogCertificateRefused(ILogger logger, EndPoint? remote, string agentId, string reason);

    /// <summary>Marks the connections of the agent endpoint; requests see their connection's features.</summary>
    private sealed class AgentConnectionFeature
    {
        public static readonly AgentConnectionFeature Instance = new();
    }
}

/// <summary>
/// Keeps the two endpoints apart: on the agent endpoint only agent paths answer, and agent paths only there (404 elsewhere).
/// A body the agent endpoint cannot read is logged like every other refusal there.
/// </summary>
public sealed partial class AgentPathsMiddleware(RequestDelegate next, ILogger<AgentListener> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var agentPath = context.Request.Path.StartsWithSegments(AgentListener.PathPrefix, StringComparison.Ordinal);
        if (agentPath != AgentListener.IsAgentRequest(context))
        {
            var (code, message) = ApiErrors.ForStatus(StatusCodes.Status404NotFound);
            await ApiErrors.WriteAsync(context, StatusCodes.Status404NotFound, code, message);
            return;
        }
        if (!agentPath)
        {
            await next(context);
            return;
        }
        try
        {
            await next(context);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            LogUnreadable(logger, context.Request.Path, context.Connection.RemoteIpAddress, e.StatusCode, e.Message);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} from {Remote}: status {Status}, {Reason}")]
    private static partial void LogUnreadable(ILogger logger, PathString path, IPAddress? remote, int status, string reason);
}
