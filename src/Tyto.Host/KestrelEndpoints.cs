using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Tyto.Api.AgentChannel;

namespace Tyto.Host;

/// <summary>
/// Binds the API's URLs, as the host resolved them (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, the default), and then the agent
/// endpoint, all as Kestrel endpoints: once one endpoint is configured in code, Kestrel binds none of the host's URLs and warns.
/// </summary>
internal sealed class KestrelEndpoints(IOptions<KestrelServerOptions> kestrel, AgentListener agents, IOptions<TytoOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var addresses = app.ServerFeatures.Get<IServerAddressesFeature>()!.Addresses;
        foreach (var url in addresses.ToList())
        {
            var address = BindingAddress.Parse(url);
            AgentListener.ListenAt(kestrel.Value, address, listen =>
            {
                if (address.Scheme == Uri.UriSchemeHttps)
                    listen.UseHttps();
            });
        }
        addresses.Clear();
        agents.Configure(kestrel.Value, options.Value.Agents.Listen);
        next(app);
    };
}
