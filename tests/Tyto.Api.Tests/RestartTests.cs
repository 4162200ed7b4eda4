using System.Net;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Tyto.Actors.Collection;

namespace Tyto.Api.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Users_roles_sessions_and_settings_survive_a_restart()
    {
        var dataDir = TytoHost.NewDataDir();
        string token;
        string userToken;
        await using (var first = await TytoHost.StartAsync(dataDir))
        {
            token = await first.TokenAsync();
            using var admin = await first.LoginAsync();
            using (var role = await admin.PostJsonAsync("/api/v1/roles", new { name = "Watchers", permissions = new[] { "metrics:read", "alerts:*" } }))
                await role.JsonAsync(HttpStatusCode.Created);
            using (var user = await admin.PostJsonAsync("/api/v1/users", new { username = "watcher", password = "watcher-password", roles = new[] { "watchers" } }))
                await user.JsonAsync(HttpStatusCode.Created);
            userToken = await first.TokenAsync("watcher", "watcher-password");
            using (var email = await admin.PutAsJsonAsync("/api/v1/auth/me", new { email = "root@example.com" }))
                await email.JsonAsync(HttpStatusCode.OK);
            using (var interval = await admin.PostJsonAsync("/api/v1/settings/refresh", new { interval = 7 }))
                await interval.JsonAsync(HttpStatusCode.OK);
        }

        // A different configured password must not replace the admin created on the first start.
        await using (var second = await TytoHost.StartAsync(dataDir, "--Tyto:Auth:AdminPassword=another-password-entirely"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using (var me = await second.Client.SendAsync(request))
                Assert.Equal("root@example.com", (await me.JsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());

            await second.TokenAsync("admin", TytoHost.AdminPassword);

            using (var watcherRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
            {
                watcherRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", userToken);
                using var watcher = await second.Client.SendAsync(watcherRequest);
                var me = await watcher.JsonAsync(HttpStatusCode.OK);
                Assert.Equal(["watchers"], UsersTests.Strings(me.GetProperty("roles")));
                Assert.Equal(["alerts:*", "metrics:read"], UsersTests.Strings(me.GetProperty("permissions")));
            }
            using (var replaced = await second.Client.PostJsonAsync("/api/v1/auth/login", new { username = "admin", password = "another-password-entirely" }))
                await replaced.ErrorAsync(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");

            var settings = second.App.Services.GetRequiredService<ActorRegistry>().Get<CollectionSettingsSingleton>();
            var current = await settings.Ask<CollectionSettings>(GetCollectionSettings.Instance, TimeSpan.FromSeconds(30));
            Assert.Equal(7, current.RefreshIntervalSeconds);

            using var admin = await second.LoginAsync();
            using var stream = await admin.GetAsync("/api/v1/export/metrics?agent_id=local");
            Assert.NotEqual(HttpStatusCode.InternalServerError, stream.StatusCode);
        }
        TytoHost.DeleteDataDir(dataDir);
    }
}
