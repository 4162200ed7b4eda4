using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;

namespace Tyto.Actors.Persistence;

/// <summary>
/// Writes an actor reference as its serialized path, with the address of the node it lives on, and resolves it again
/// in the receiving node's actor system: a connection or subscriber named in a message can be answered from anywhere.
/// </summary>
public sealed class ActorRefJsonConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
{
    public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        system.Provider.ResolveActorRef(reader.GetString() ?? throw new JsonException("An actor reference must be a string."));

    public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
}
