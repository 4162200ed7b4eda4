using System.Net.Sockets;

namespace Tyto.Collection;

/// <summary>The Docker Engine API on its Unix socket, as the container collector and the container log reader call it.</summary>
public static class DockerEngine
{
    /// <summary>An HTTP client whose every connection is a new one to <paramref name="socket"/>; requests take paths such as <c>containers/json</c>.</summary>
    public static HttpClient Client(string socket, TimeSpan timeout) =>
        new(new SocketsHttpHandler { ConnectCallback = (_, cancellationToken) => ConnectAsync(socket, cancellationToken) })
        {
            BaseAddress = new Uri("http://docker/"),
            Timeout = timeout,
        };

    private static async ValueTask<Stream> ConnectAsync(string socket, CancellationToken cancellationToken)
    {
        var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
            return new NetworkStream(connection, ownsSocket: true);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
