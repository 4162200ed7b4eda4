using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tyto.Api;

/// <summary>
/// Says in API terms why a JSON request body was refused: the property at fault, from the reader's path, and what the endpoint
/// expects there, from the body type's contract; never the serializer's own text with its .NET type names.
/// </summary>
public static class JsonBodyErrors
{
    private const int MaxFieldLength = 64;

    public static (string Message, IReadOnlyDictionary<string, object> Details) Explain(JsonException error, Type? bodyType, JsonSerializerOptions options)
    {
        if (error.InnerException is JsonException)
            return Problem("body", $"is not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1})");
        // A body read as a JSON document fails only on a repeated property, which the reader reports without its name.
        if (bodyType is null || options.GetTypeInfo(bodyType) is not { Kind: JsonTypeInfoKind.Object } contract)
            return Problem("body", "gives a property more than once");
        if (TopProperty(error.Path) is not { } name)
            return Problem("body", "must be a JSON object");

        var field = Field(error.Path!);
        if (contract.Properties.FirstOrDefault(p => p.Name == name) is not { } property)
            return Problem(field, $"is not a property of this request; use {string.Join(", ", contract.Properties.Select(p => p.Name))}");
        var inElement = error.Path != $"$.{name}";
        var expected = Describe(inElement ? options.GetTypeInfo(property.PropertyType).ElementType ?? typeof(object) : property.PropertyType, options);
        if (error.InnerException is not null || inElement)
            return Problem(field, $"must be {expected}");
        // Without an inner error the reader refused either a repeated property or a token that cannot start a list or object.
        return IsComposite(property.PropertyType) ? Problem(field, $"must be {expected}, given once") : Problem(field, "is given more than once");
    }

    private static (string Message, IReadOnlyDictionary<string, object> Details) Problem(string field, string problem) =>
        (field == "body" ? $"The request body {problem}" : $"{field} {problem}", new Dictionary<string, object> { [field] = problem });

    /// <summary>The first property name of a reader path: <c>$.roles[0]</c> and <c>$['a.b']</c> give <c>roles</c> and <c>a.b</c>.</summary>
    private static string? TopProperty(string? path)
    {
        if (path is null)
            return null;
        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = path.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : path[3..end];
        }
        if (!path.StartsWith("$.", StringComparison.Ordinal))
            return null;
        var stop = path.IndexOfAny(['.', '['], 2);
        return stop < 0 ? path[2..] : path[2..stop];
    }

    /// <summary>The path as the client wrote it, without the reader's <c>$.</c>, and short enough to echo.</summary>
    private static string Field(string path)
    {
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length <= MaxFieldLength ? field : string.Concat(field.AsSpan(0, MaxFieldLength), "…");
    }

    private static bool IsComposite(Type type) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) == TypeCode.Object;

    private static string Describe(Type type, JsonSerializerOptions options) => Type.GetTypeCode(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        TypeCode.String => "a string",
        TypeCode.Boolean => "true or false",
        TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "a whole number",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
        _ => options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Enumerable ? "a list" : "an object",
    };
}
