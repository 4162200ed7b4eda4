using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Tyto.Actors.Persistence;

/// <summary>
/// Serializes objects as JSON under a stable string manifest taken from a table of manifests and their types, so
/// nothing written or sent carries a .NET type name; a type missing from the table is refused, not guessed.
/// </summary>
public abstract class JsonManifestSerializer : SerializerWithStringManifest
{
    private readonly IReadOnlyDictionary<string, Type> _types;
    private readonly Dictionary<Type, string> _manifests;
    private readonly JsonSerializerOptions _json;

    protected JsonManifestSerializer(ExtendedActorSystem system, IReadOnlyDictionary<string, Type> manifests, JsonSerializerOptions json)
        : base(system)
    {
        _types = manifests;
        _manifests = manifests.ToDictionary(p => p.Value, p => p.Key);
        _json = json;
    }

    public override string Manifest(object o) =>
        _manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {GetType().Name}", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        _types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _json)!
            : throw new SerializationException($"Unknown manifest {manifest}");
}
