using System.Text.RegularExpressions;

namespace Tyto.Collection;

/// <summary>
/// The rule for every agent id, checked where an id enters (configuration, the API, enrollment): ids become part of
/// alert ids (<c>agent:rule:n</c>), URLs and persistence ids.
/// </summary>
public static partial class AgentIds
{
    public const int MaxLength = 64;

    /// <summary>The rule, in words.</summary>
    public const string Rule = "must be 1 to 64 letters, digits, '.', '_' or '-'";

    public static bool IsValid(string? agentId) => agentId is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(agentId);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex Pattern();
}
