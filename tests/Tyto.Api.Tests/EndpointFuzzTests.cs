using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Hosting;
using CsCheck;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tyto.Actors.Collection;

namespace Tyto.Api.Tests;

/// <summary>
/// Random requests, as the admin, to every endpoint the real host maps: random path parameters, query strings and JSON bodies
/// shaped after each endpoint's metadata. Never a 500, always the envelope on an error, and a refused request changes nothing
/// stored (users, roles, the own profile, the alert thresholds and the refresh interval).
/// </summary>
public sealed class EndpointFuzzTests : IAsyncLifetime
{
    private const int Requests = 300;

    /// <summary>Ends the admin's own session, which the rest of the run needs; it has its own tests.</summary>
    private const string Logout = "POST /api/v1/auth/logout";

    private const string Signal = "POST /api/v1/processes/{pid}/signal";

    private static readonly string[] Keys = ["cpu", "memory", "disk", "warning", "critical", "signal", "interval", "x"];

    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."].Array[1, 12].Select(c => new string(c))),
        (2, Gen.Char[' ', '\uD7FF'].Array[0, 16].Select(c => new string(c))),
        (2, Gen.OneOf("", "admin", "viewer", "*", "metrics:read", "local", "a@b.co", "\u202Eevil", "x\u0000y", "\u001B[31m")),
        (1, Gen.Int[200, 5000].Select(n => new string('x', n))));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (1, Gen.Const("null")),
        (1, Gen.Bool.Select(b => b ? "true" : "false")),
        (3, Gen.Int[-5, 4000].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("-1", "0", "1.5", "1e400", "-0", "9223372036854775808", "2147483648", "\"5\"", "\"\\ud800\"")),
        (3, Text.Select(t => JsonSerializer.Serialize(t))));

    private static readonly Gen<string> QueryValue = Gen.Frequency(
        (3, Text),
        (2, Gen.OneOf("1", "0", "-1", "100000000000", "1m", "5m", "1h", "raw", "auto", "csv", "json", "cpu", "memory", "pid", "name")),
        (2, Gen.OneOf("2026-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", "1700000000")));

    private static readonly string[] OddIds = ["1", "0", "-1", "99999999999", "local", "..", "a b", "\u00e9"];

    private readonly List<string> targetIds = [];
    private TytoHost host = null!;
    private HttpClient admin = null!;
    private Process sleeper = null!;

    public async Task InitializeAsync()
    {
        host = await TytoHost.StartAsync();
        admin = await host.LoginAsync();
        // Targets the run may change or remove at will: a user, a role, and a process for the signals.
        using (var user = await admin.PostJsonAsync("/api/v1/users", new { username = "fuzz-target", password = "fuzz-target-password", roles = new[] { "viewer" } }))
            targetIds.Add((await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        using (var role = await admin.PostJsonAsync("/api/v1/roles", new { name = "fuzz-role", description = "", permissions = new[] { "metrics:read" } }))
            targetIds.Add((await role.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false }) ?? throw new InvalidOperationException("could not start sleep");
    }

    public async Task DisposeAsync()
    {
        if (!sleeper.HasExited)
            sleeper.Kill();
        sleeper.Dispose();
        admin.Dispose();
        var dataDir = host.DataDir;
        await host.DisposeAsync();
        TytoHost.DeleteDataDir(dataDir);
    }

    [Fact]
    public async Task Random_requests_to_every_endpoint_never_fail_unhandled_and_refusals_change_nothing()
    {
        var endpoints = Endpoints();
        Assert.Contains(endpoints, e => e.Name == "POST /api/v1/roles");
        var stored = await StoredAsync();
        await Probes(endpoints).SampleAsync(
            async probe =>
            {
                var (status, body) = await SendAsync(probe);
                Assert.True(status < 500, $"{probe} answered {status}: {body}");
                if (status < 400)
                {
                    if (probe.Mutates)
                        stored = await StoredAsync();
                    return;
                }
                AssertEnvelope(probe, status, body);
                if (probe.Mutates)
                    Assert.True(stored == await StoredAsync(), $"{probe} was refused with {status} but changed what is stored");
            },
            iter: Requests,
            threads: 1);
    }

    /// <summary>An endpoint as the host maps it, with what a request to it can carry.</summary>
    private sealed record Target(string Method, RoutePattern Pattern, string[] QueryNames, Type? BodyType)
    {
        public string Name => $"{Method} {Pattern.RawText?.TrimEnd('/')}";
    }

    private sealed record Probe(Target Target, string Path, string Query, string? Body, string ContentType)
    {
        public bool Mutates => Target.Method is not ("GET" or "HEAD");

        public override string ToString() =>
            $"{Target.Method} {Path}{Query} {ContentType} {(Body is null ? "(no body)" : Body.Length > 300 ? Body[..300] + "…" : Body)}";
    }

    private List<Target> Endpoints() =>
        [.. host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Target(
                method,
                e.RoutePattern,
                QueryNames(e),
                e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType)))
            .Where(t => t.Name != Logout)];

    /// <summary>The handler's simple parameters that are not in the route: its query string.</summary>
    private static string[] QueryNames(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<MethodInfo>() is { } handler
            ? [.. handler.GetParameters()
                .Where(p => p.ParameterType == typeof(string) && endpoint.RoutePattern.GetParameter(p.Name!) is null)
                .Select(p => p.GetCustomAttributes().OfType<IFromQueryMetadata>().FirstOrDefault()?.Name ?? p.Name!)]
            : [];

    /// <summary>Endpoints that take a body are tried more often: they have more ways to go wrong.</summary>
    private Gen<Probe> Probes(List<Target> endpoints) => Gen.Frequency(endpoints.Select(e => (e.BodyType is null ? 1 : 3, e)).ToArray()).SelectMany(target => Gen.Select(
        PathGen(target),
        QueryGen(target),
        BodyGen(target),
        Gen.Frequency((12, Gen.Const("application/json")), (1, Gen.Const("text/plain"))),
        (path, query, body, contentType) => new Probe(target, path, query, body, contentType)));

    private Gen<string> PathGen(Target target)
    {
        // Kestrel itself refuses a NUL or another control character in the path, before the API can answer it in the envelope.
        var id = target.Name == Signal
            ? Gen.Const(sleeper.Id.ToString(CultureInfo.InvariantCulture))
            : Gen.Frequency((3, Gen.OneOf(targetIds.ToArray())), (1, Gen.OneOf(OddIds)), (1, Text.Where(t => t.Length > 0 && !t.Any(char.IsControl))));
        return id.Array[target.Pattern.Parameters.Count].Select(values =>
        {
            var byName = target.Pattern.Parameters.Select((p, i) => (p.Name, values[i])).ToDictionary();
            return "/" + string.Join("/", target.Pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart parameter => Uri.EscapeDataString(byName[parameter.Name]),
                RoutePatternSeparatorPart separator => separator.Content,
                _ => "",
            }))));
        });
    }

    private static Gen<string> QueryGen(Target target)
    {
        var name = Gen.Frequency((6, target.QueryNames.Length > 0 ? Gen.OneOf(target.QueryNames) : Gen.Const("q")), (1, Text.Where(t => t.Length > 0)));
        return Gen.Select(name, QueryValue).Array[0, 4].Select(pairs => pairs.Length == 0
            ? ""
            : "?" + string.Join("&", pairs.Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}")));
    }

    /// <summary>
    /// Objects with the body type's properties, mostly with values of their type (and repeated, miscased or unknown ones), any JSON
    /// value, or broken JSON.
    /// </summary>
    private Gen<string?> BodyGen(Target target)
    {
        if (target.BodyType is null)
            return Gen.Frequency((8, Gen.Const((string?)null)), (1, Gen.Const((string?)"{}")));
        var contract = host.App.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(target.BodyType);
        var properties = contract.Kind == JsonTypeInfoKind.Object
            ? contract.Properties.Select(p => (p.Name, Value: Gen.Frequency((3, Plausible(p.PropertyType)), (1, ValueGen(1))))).ToArray()
            : Keys.Select(k => (Name: k, Value: ValueGen(1))).ToArray();
        var member = Gen.Frequency(
            (10, Gen.OneOf(properties).SelectMany(p => p.Value.Select(v => (p.Name, v)))),
            (1, Gen.Select(Gen.OneOf(properties).Select(p => p.Name.ToUpperInvariant()), Scalar)),
            (1, Gen.Select(Text, Scalar)));
        return Gen.Frequency(
            (8, member.Array[0, 5].Select(members => "{" + string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Item1)}:{m.Item2}")) + "}")),
            (2, ValueGen(2)),
            (1, Gen.OneOf("", "{", "{\"a\":}", "[", "nul", "{\"a\":1}}")))
            .Select(body => (string?)body);
    }

    /// <summary>A value of the property's type, or near it: lists of strings hold the odd null or number.</summary>
    private static Gen<string> Plausible(Type type) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        TypeCode.String => Text.Select(t => JsonSerializer.Serialize(t)),
        TypeCode.Boolean => Gen.Bool.Select(b => b ? "true" : "false"),
        TypeCode.Int32 or TypeCode.Int64 or TypeCode.Double => Gen.Int[-5, 4000].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        _ => Gen.Frequency((6, Text.Select(t => JsonSerializer.Serialize(t))), (1, Gen.Const("null")), (1, Gen.Const("1")))
            .Array[0, 6].Select(items => $"[{string.Join(",", items)}]"),
    };

    private static Gen<string> ValueGen(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (1, ValueGen(depth - 1).Array[0, 4].Select(items => $"[{string.Join(",", items)}]")),
            (2, ObjectGen(depth - 1)));

    private static Gen<string> ObjectGen(int depth) =>
        Gen.Select(Gen.OneOf(Keys), ValueGen(depth)).Array[0, 5]
            .Select(members => "{" + string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Item1)}:{m.Item2}")) + "}");

    private async Task<(int Status, string Body)> SendAsync(Probe probe)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Target.Method), probe.Path + probe.Query);
        if (probe.Body is not null)
            request.Content = new StringContent(probe.Body, Encoding.UTF8, MediaTypeHeaderValue.Parse(probe.ContentType));
        // Streams and exports do not end on their own; an answer that succeeded is judged by its status alone.
        using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = (int)response.StatusCode;
        return (status, status >= 400 ? await response.Content.ReadAsStringAsync() : "");
    }

    private static void AssertEnvelope(Probe probe, int status, string body)
    {
        JsonElement envelope;
        try
        {
            envelope = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{probe} answered {status} without the envelope: '{body}'");
        }
        Assert.True(
            envelope.ValueKind == JsonValueKind.Object &&
            envelope.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String &&
            envelope.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String &&
            envelope.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object,
            $"{probe} answered {status} without the envelope: '{body}'");
    }

    /// <summary>What the admin can see is stored: accounts, roles, the own profile, the thresholds and the refresh interval.</summary>
    private async Task<string> StoredAsync()
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/api/v1/users", "/api/v1/roles", "/api/v1/auth/me" })
            parts.Add(await admin.GetStringAsync(path));
        parts.Add(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/alerts")).RootElement.GetProperty("config").GetRawText());
        var settings = host.App.Services.GetRequiredService<IRequiredActor<CollectionSettingsSingleton>>().ActorRef;
        parts.Add((await settings.Ask<CollectionSettings>(GetCollectionSettings.Instance, TimeSpan.FromSeconds(10))).RefreshIntervalSeconds.ToString(CultureInfo.InvariantCulture));
        return string.Join('\n', parts);
    }
}
