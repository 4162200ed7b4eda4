using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tyto.Api;

/// <summary>
/// JSON conventions of API.md: resource objects are snake_case; metrics samples are camelCase. Request bodies are read strictly:
/// exact property names, numbers as numbers, each property once and none the endpoint does not know.
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The Metrics Structure of API.md, as streamed and exported.</summary>
    public static readonly JsonSerializerOptions Metrics = new(JsonSerializerDefaults.Web);

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return options;
    }
}
