using System.Globalization;
using System.Text.Json.Serialization;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tyto.Actors;
using Tyto.Actors.Agents;
using Tyto.Actors.Collection;
using Tyto.Actors.Identity;
using Tyto.Api.Auth;

namespace Tyto.Api;

/// <summary>Details of a host's processes and signals to them.</summary>
public static class ProcessesApi
{
    public sealed record ProcessResponse(
        int Pid, string Name, string Cmdline, string User, string State, double Cpu, long Memory, int Threads,
        [property: JsonPropertyName("startTime")] DateTime StartTime);

    public sealed record SignalRequest(int? Signal);

    public sealed record SignalResponse(int Pid, int Signal);

    public static IEndpointRouteBuilder MapProcessesApi(this IEndpointRouteBuilder app)
    {
        var processes = app.MapGroup("/api/v1/processes");
        processes.MapGet("/{pid}", GetProcess).RequirePermission(Permissions.ProcessesRead);
        processes.MapPost("/{pid}/signal", Signal).RequirePermission(Permissions.ProcessesSignal);
        return app;
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
            SignalProcessResult => ProcessNotFound(id),
            var other => Unavailable(agent, other),
        };
    }

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
