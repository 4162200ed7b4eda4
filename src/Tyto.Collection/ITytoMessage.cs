namespace Tyto.Collection;

/// <summary>
/// A message that may cross the nodes of a cluster: to an agent's entity, a singleton, a connection on another node,
/// or through distributed pub-sub. Server nodes bind it to Tyto's message serializer (JSON under a stable string
/// manifest), so none falls back to Akka's default serializer and its .NET type names.
/// </summary>
public interface ITytoMessage;
