using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tyto.Collection;
using Tyto.Collection.Channel;

namespace Tyto.Agent;

/// <summary>
/// Gets the agent its certificate: sends its id, names and a CSR to the first server that answers, with the one-time
/// token when it has one, and otherwise polls its pending request until an operator approved or rejected it.
/// </summary>
public sealed partial class EnrollmentClient(TytoOptions options, AgentFiles files, ServerTrust trust, ILogger<EnrollmentClient> logger)
{
    /// <summary>Refusals that pass with time: a full pending queue, a rate limit.</summary>
    private static readonly HashSet<string> Passing = ["PENDING_FULL", "RATE_LIMITED"];

    private static readonly TimeSpan DefaultPollAfter = TimeSpan.FromSeconds(10);

    /// <summary>True once the agent holds a certificate; false when a server refused it for good (the reason is logged).</summary>
    public async Task<bool> EnrollAsync(CancellationToken cancellationToken)
    {
        if (files.IsEnrolled)
            return true;
        var token = await ReadTokenAsync(cancellationToken);
        var delay = new ReconnectDelay();
        var unreachable = false;
        var servers = options.Agent.Server;
        for (var attempt = 0; ; attempt++)
        {
            var server = new Uri(servers[attempt % servers.Count]);
            try
            {
                await trust.EnsureCaAsync(server, cancellationToken);
                using var client = trust.CreateClient();
                if (!files.IsPending)
                    LogEnrolling(logger, server);
                var answer = files.IsPending ? await PollAsync(client, server, cancellationToken) : await RequestAsync(client, server, token, cancellationToken);
                if (answer.Status == EnrollmentStatus.Pending)
                    LogWaiting(logger, options.Agent.Id);
                while (answer.Status == EnrollmentStatus.Pending)
                {
                    await Task.Delay(answer.PollAfterSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : DefaultPollAfter, cancellationToken);
                    answer = await PollAsync(client, server, cancellationToken);
                }
                files.StoreCertificate(answer.Certificate!, answer.CaCertificate!);
                LogEnrolled(logger, server);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // One line until a server answers, not one per try.
                if (!unreachable)
                    LogUnreachable(logger, server, e.Message);
                unreachable = true;
            }
            catch (ServerRefusalException e) when (e.Code == "NOT_FOUND" && files.IsPending)
            {
                // The pending request expired or was forgotten: ask again.
                files.ForgetPending();
                continue;
            }
            catch (ServerRefusalException e) when (Passing.Contains(e.Code))
            {
                LogRefused(logger, e.Code, e.Message + "; trying again later");
            }
            catch (ServerRefusalException e)
            {
                LogRefused(logger, e.Code, e.Message);
                return false;
            }
            await Task.Delay(delay.Next(), cancellationToken);
        }
    }

    private async Task<EnrollmentAnswer> RequestAsync(HttpClient client, Uri server, string? token, CancellationToken cancellationToken)
    {
        var agent = options.Agent;
        var request = new EnrollmentRequest(
            agent.Id, agent.Name ?? Environment.MachineName, Environment.MachineName, "linux",
            SystemCollector.Architecture(RuntimeInformation.OSArchitecture), files.CreateSigningRequest(agent.Id), token, files.Secret());
        using var response = await client.PostAsJsonAsync(new Uri(server, AgentWire.EnrollPath), request, AgentWire.Json, cancellationToken);
        return await AnswerAsync(response, cancellationToken);
    }

    private async Task<EnrollmentAnswer> PollAsync(HttpClient client, Uri server, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(new Uri(server, AgentWire.PollPath), new EnrollmentPoll(options.Agent.Id, files.Secret()), AgentWire.Json, cancellationToken);
        return await AnswerAsync(response, cancellationToken);
    }

    private static async Task<EnrollmentAnswer> AnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return await response.Content.ReadFromJsonAsync<EnrollmentAnswer>(AgentWire.Json, cancellationToken)
                ?? throw new ServerRefusalException("INVALID_ANSWER", "the server answered the enrollment with nothing");
        var code = response.StatusCode == HttpStatusCode.TooManyRequests ? "RATE_LIMITED" : $"HTTP_{(int)response.StatusCode}";
        var message = response.ReasonPhrase ?? code;
        try
        {
            var envelope = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (envelope.ValueKind == JsonValueKind.Object && envelope.TryGetProperty("code", out var c) && envelope.TryGetProperty("error", out var e))
                (code, message) = (c.GetString() ?? code, e.GetString() ?? message);
        }
        catch (JsonException)
        {
            // No error envelope: the status says what there is to say.
        }
        throw new ServerRefusalException(code, message);
    }

    /// <summary>The one-time token: from <c>Tyto:Agent:EnrollmentTokenFile</c>, else from stdin when that is not a terminal; never from argv.</summary>
    private async Task<string?> ReadTokenAsync(CancellationToken cancellationToken)
    {
        var text = options.Agent.EnrollmentTokenFile is { } file ? await File.ReadAllTextAsync(file, cancellationToken)
            : Console.IsInputRedirected ? await Console.In.ReadToEndAsync(cancellationToken)
            : null;
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "enrolling at {Server}")]
    private static partial void LogEnrolling(ILogger logger, Uri server);

    [LoggerMessage(Level = LogLevel.Information, Message = "waiting for approval (agent id '{AgentId}': approve it with POST /api/v1/agents/pending/{AgentId}/approve)")]
    private static partial void LogWaiting(ILogger logger, string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "enrolled at {Server}")]
    private static partial void LogEnrolled(ILogger logger, Uri server);

    [LoggerMessage(Level = LogLevel.Information, Message = "server unreachable at {Server}: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, Uri server, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "enrollment refused: {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string code, string reason);
}
