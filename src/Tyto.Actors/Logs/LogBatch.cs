using Tyto.Collection.Logs;

namespace Tyto.Actors.Logs;

/// <summary>Entries one source of one host read, with where that source resumes after them, written in one transaction.</summary>
/// <param name="AgentId">The host: <c>local</c> or an agent's id.</param>
/// <param name="SourceKey">The source on that host whose position this is: <c>journal</c>, <c>file</c>, <c>docker</c>.</param>
/// <param name="Entries">Oldest first.</param>
/// <param name="Position">The source's position after <paramref name="Entries"/>, stored with them; null to keep the stored one.</param>
/// <param name="Seq">An agent's outbox sequence number: a batch whose (agent, sequence) is stored already is skipped whole.</param>
public sealed record LogBatch(string AgentId, string SourceKey, IReadOnlyList<LogEntry> Entries, string? Position, long? Seq)
{
    /// <summary>Completed by the log writer once the batch is stored (or found stored already): an agent's batch is acknowledged only then.</summary>
    public TaskCompletionSource? Stored { get; init; }
}
