using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Tyto.Agent;

/// <summary>The agent's console: one line per change of where it stands, a time and a sentence; the level only where it is not information.</summary>
public sealed class AgentConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "tyto-agent";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z' ", CultureInfo.InvariantCulture));
        if (logEntry.LogLevel != LogLevel.Information)
            textWriter.Write($"{logEntry.LogLevel.ToString().ToLowerInvariant()}: ");
        textWriter.WriteLine(message);
        if (logEntry.Exception is not null)
            textWriter.WriteLine(logEntry.Exception.ToString());
    }
}
