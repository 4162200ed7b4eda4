using Akka.Hosting;
using Akka.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Actors.Logs;
using Tyto.Api.Auth;
using Tyto.Collection.Logs;

namespace Tyto.Api;

/// <summary>Searching the logs of every host, and following them live.</summary>
public static class LogsApi
{
    /// <summary>The log events a stream connection holds for a slow client before it drops the oldest.</summary>
    public const int StreamBuffer = 1000;

    /// <summary>One log entry as API.md shows it.</summary>
    public sealed record LogEntryDto(
        string Id, DateTime Timestamp, string AgentId, string Source, string SourceName, string Level, string Message, IReadOnlyDictionary<string, string> Fields)
    {
        public static LogEntryDto From(StoredLogEntry stored) => new(
            stored.Id, stored.Entry.Timestamp, stored.AgentId, LogNames.Name(stored.Entry.Source), stored.Entry.SourceName,
            LogNames.Name(stored.Entry.Level), stored.Entry.Message, stored.Entry.Fields);
    }

    public sealed record LogsResponse(IReadOnlyList<LogEntryDto> Entries, int Total);

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/logs", Query).RequirePermission(Permissions.LogsRead).WithName("Logs").Produces<LogsResponse>().ProducesErrors(404);
        app.MapGet("/api/v1/logs/stream", Stream).RequirePermission(Permissions.LogsRead).WithName("LogStream")
            .Produces<string>(200, "text/event-stream").ProducesErrors(404).AllowAccessTokenQuery();
        return app;
    }

    private static async Task<IResult> Query(
        [FromQuery(Name = "agent_id")] string? agentId, string? source, [FromQuery(Name = "source_name")] string? sourceName, string? level, string? q,
        string? from, string? to, string? limit, string? offset, LogStore store, IRequiredActor<AgentRegion> agents, CancellationToken cancellationToken)
    {
        var (query, error) = Parse(agentId, source, sourceName, level, q, from, to, limit, offset);
        if (error is not null)
            return error;
        if (agentId is not null && await Agents.FindAsync(agents, agentId, cancellationToken) is null)
            return ApiErrors.AgentNotFound(agentId);
        try
        {
            var page = await store.QueryAsync(query!, cancellationToken);
            return TypedResults.Ok(new LogsResponse([.. page.Entries.Select(LogEntryDto.From)], page.Total));
        }
        catch (LogQueryException e)
        {
            return ApiErrors.Validation("q", e.Message);
        }
    }

    /// <summary>
    /// The entries that match the filters as they are stored, as <c>log</c> events; <c>limit</c> and <c>offset</c> are
    /// checked like the search's but page nothing here.
    /// </summary>
    private static async Task<IResult> Stream(
        [FromQuery(Name = "agent_id")] string? agentId, string? source, [FromQuery(Name = "source_name")] string? sourceName, string? level, string? q,
        string? from, string? to, string? limit, string? offset, HttpContext context, IdentityStore identity, IRequiredActor<AgentRegion> agents,
        LogFrames logs, SseConnections connections, IMaterializer materializer, CancellationToken cancellationToken)
    {
        var (query, error) = Parse(agentId, source, sourceName, level, q, from, to, limit, offset);
        if (error is not null)
            return error;
        LogFilter filter;
        try
        {
            filter = new LogFilter(query!);
        }
        catch (LogQueryException e)
        {
            return ApiErrors.Validation("q", e.Message);
        }
        if (agentId is not null && await Agents.FindAsync(agents, agentId, cancellationToken) is null)
            return ApiErrors.AgentNotFound(agentId);
        var subscriber = new SseSubscriber(logs.Matching(filter), agentId: null, StreamBuffer);
        return ServerSentEventsResult.WhilePermitted(subscriber.Frames(SseSubscriber.KeepAliveInterval), Permissions.LogsRead, context, identity, materializer, connections);
    }

    /// <summary>The filters of a logs request (shared by the search and the live stream); an error names the first bad parameter.</summary>
    public static (LogQuery? Query, IResult? Error) Parse(
        string? agentId, string? source, string? sourceName, string? level, string? q, string? from, string? to, string? limit, string? offset)
    {
        LogSourceKind? kind = null;
        if (source is not null)
        {
            if (!LogNames.TryParseSource(source, out var parsed))
                return (null, ApiErrors.Validation("source", $"'{source}' is not one of {string.Join(", ", Enum.GetValues<LogSourceKind>().Select(LogNames.Name))}"));
            kind = parsed;
        }
        HashSet<LogSeverity>? levels = null;
        if (level is not null)
        {
            levels = [];
            foreach (var name in level.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!LogNames.TryParseLevel(name, out var severity))
                    return (null, ApiErrors.Validation("level", $"'{name}' is not one of {string.Join(", ", Enum.GetValues<LogSeverity>().Select(LogNames.Name))}"));
                levels.Add(severity);
            }
        }
        if (!QueryParameters.TryParseTime(from, "from", out var fromTime, out var error) ||
            !QueryParameters.TryParseTime(to, "to", out var toTime, out error) ||
            !QueryParameters.TryParseInt(limit, "limit", 1, LogQuery.MaxLimit, LogQuery.DefaultLimit, out var take, out error) ||
            !QueryParameters.TryParseInt(offset, "offset", 0, int.MaxValue, 0, out var skip, out error))
            return (null, error);
        if (fromTime > toTime)
            return (null, ApiErrors.Validation("from", "must not be after 'to'"));
        return (new LogQuery
        {
            AgentId = agentId,
            Source = kind,
            SourceName = sourceName,
            Levels = levels,
            Text = string.IsNullOrWhiteSpace(q) ? null : q,
            From = fromTime,
            To = toTime,
            Limit = take,
            Offset = skip,
        }, null);
    }
}
