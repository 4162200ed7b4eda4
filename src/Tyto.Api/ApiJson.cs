using System.Text.Json;

namespace Tyto.Api;

/// <summary>JSON conventions of API.md: resource objects are snake_case; metrics samples are camelCase.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The Metrics Structure of API.md, as streamed and exported.</summary>
    public static readonly JsonSerializerOptions Metrics = new(JsonSerializerDefaults.Web);

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        return options;
    }
}
