using System.Globalization;
using System.Text.Json.Serialization;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors.Agents;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;
using Tyto.Collection;

namespace Tyto.Api;

/// <summary>A host's process list, the details of one process, and signals to them.</summary>
public static class ProcessesApi
{
    /// <summary>The most rows one list returns.</summary>
    public const int MaxLimit = 100_000;

    private static readonly Dictionary<string, ProcessSort> Sorts = new(StringComparer.Ordinal)
    {
        ["cpu"] = ProcessSort.Cpu,
        ["memory"] = ProcessSort.Memory,
        ["pid"] = ProcessSort.Pid,
        ["name"] = ProcessSort.Name,
    };

    public sealed record ProcessResponse(
        int Pid, string Name, string Cmdline, string User, string State, double Cpu, long Memory, int Threads,
        [property: JsonPropertyName("startTime")] DateTime StartTime);

    public sealed record ProcessRow(int Pid, string Name, string Cmdline, string User, string State, double Cpu, long Memory, int Threads);

    public sealed record ProcessListResponse(
        [property: JsonPropertyName("agent_id")] string AgentId, DateTime Timestamp, int Total, int Matched, IReadOnlyList<ProcessRow> Processes);

    public sealed record SignalRequest(int? Signal);

    public sealed record SignalResponse(int Pid, int Signal);

    public static IEndpointRouteBuilder MapProcessesApi(this IEndpointRouteBuilder app)
    {
        var processes = app.MapGroup("/api/v1/processes");
        processes.MapGet("", ListProcesses).RequirePermission(Permissions.ProcessesRead).WithName("ListProcesses").Produces<ProcessListResponse>().ProducesErrors(404, 409);
        processes.MapGet("/{pid}", GetProcess).RequirePermission(Permissions.ProcessesRead).WithName("GetProcess").Produces<ProcessResponse>().ProducesErrors(404, 409);
        processes.MapPost("/{pid}/signal", Signal).RequirePermission(Permissions.ProcessesSignal).WithName("SignalProcess").Produces<SignalResponse>().ProducesErrors(404, 409);
        return app;
    }

    private static async Task<IResult> ListProcesses(
        [FromQuery] string? sort,
        [FromQuery] string? limit,
        [FromQuery] string? user,
        [FromQuery] string? q,
        [FromQuery(Name = "agent_id")] string? agentId,
        IRequiredActor<AgentRegion> agents,
        IOptions<TytoOptions> options,
        CancellationToken cancellationToken)
    {
        var order = ProcessSort.Cpu;
        if (!string.IsNullOrEmpty(sort) && !Sorts.TryGetValue(sort, out order))
            return ApiErrors.Validation("sort", "must be one of cpu, memory, pid, name");
        if (!QueryParameters.TryParseInt(limit, "limit", 1, MaxLimit, MaxLimit, out var count, out var error))
            return error!;
        var query = new ListProcesses(order, string.IsNullOrEmpty(limit) ? null : count, NullIfEmpty(user), NullIfEmpty(q));
        var agent = agentId ?? options.Value.Agent.Id;
        return await Agents.AskAsync(agents, new QueryProcesses(agent, query), cancellationToken) switch
        {
            ProcessList list => TypedResults.Ok(new ProcessListResponse(
                agent,
                list.At,
                list.Total,
                list.Matched,
                list.Processes.Select(p => new ProcessRow(p.Pid, p.Name, p.Cmdline, p.User, p.State, p.Cpu, p.Memory, p.Threads)).ToList())),
            var other => Unavailable(agent, other),
        };
    }

    private static async Task<IResult> GetProcess(
        string pid, [FromQuery(Name = "agent_id")] string? agentId, IRequiredActor<AgentRegion> agents, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        if (ParsePid(pid) is not { } id)
            return InvalidPid(pid);
        var agent = agentId ?? options.Value.Agent.Id;
        return await Agents.AskAsync(agents, new QueryProcess(agent, id), cancellationToken) switch
        {
            ProcessDetailsResult { Details: { } d } => TypedResults.Ok(new ProcessResponse(d.Pid, d.Name, d.Cmdline, d.User, d.State, d.Cpu, d.Memory, d.Threads, d.StartTime)),
            ProcessDetailsResult => ProcessNotFound(id),
            var other => Unavailable(agent, other),
        };
    }

    private static async Task<IResult> Signal(
        string pid, SignalRequest request, [FromQuery(Name = "agent_id")] string? agentId, IRequiredActor<AgentRegion> agents, IOptions<TytoOptions> options, CancellationToken cancellationToken)
    {
        if (ParsePid(pid) is not { } id)
            return InvalidPid(pid);
        if (request.Signal is not { } signal)
            return ApiErrors.Validation("signal", "is required");
        if (!ProcessSignals.IsValid(signal))
            return ApiErrors.BadRequest("INVALID_SIGNAL", $"Signal {signal} is not a standard signal (1-31)", new Dictionary<string, object> { ["signal"] = "must be between 1 and 31" });
        var agent = agentId ?? options.Value.Agent.Id;
        return await Agents.AskAsync(agents, new SendProcessSignal(agent, id, signal), cancellationToken) switch
        {
            SignalProcessResult { Outcome: SignalOutcome.Sent } => TypedResults.Ok(new SignalResponse(id, signal)),
            SignalProcessResult { Outcome: SignalOutcome.NotPermitted } => ApiErrors.Error(StatusCodes.Status403Forbidden, "SIGNAL_NOT_PERMITTED", $"The host does not allow signalling process {id}"),
            SignalProcessResult { Outcome: SignalOutcome.OtherPidNamespace } => ApiErrors.Conflict(
                "PID_NAMESPACE_MISMATCH",
                $"Agent '{agent}' reads its processes from another pid namespace than the one it can signal (Tyto:Collection:RootPath), so pid {id} may be another process there: nothing was sent"),
            SignalProcessResult => ProcessNotFound(id),
            var other => Unavailable(agent, other),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? ParsePid(string pid) =>
        int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    private static IResult InvalidPid(string pid) =>
        ApiErrors.BadRequest("INVALID_PID", $"'{pid}' is not a process id", new Dictionary<string, object> { ["pid"] = "must be a positive integer" });

    private static IResult ProcessNotFound(int pid) => ApiErrors.NotFound("PROCESS_NOT_FOUND", $"No process {pid}");

    internal static IResult Unavailable(string agentId, object answer) => answer switch
    {
        AgentUnavailable { Known: true } => ApiErrors.Conflict("AGENT_OFFLINE", $"Agent '{agentId}' is not connected"),
        _ => ApiErrors.AgentNotFound(agentId),
    };
}
