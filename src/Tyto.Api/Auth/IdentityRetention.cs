using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tyto.Actors.Identity;

namespace Tyto.Api.Auth;

/// <summary>
/// Deletes audit log entries older than <c>Tyto:Auth:AuditRetention</c> and expired sessions, at start and then
/// every <see cref="Interval"/>, in statements of at most <see cref="Batch"/> rows so requests never wait long.
/// </summary>
public sealed partial class IdentityRetention(
    AuditLog audit, IdentityStore identity, TimeProvider clock, IOptions<TytoOptions> options, ILogger<IdentityRetention> logger) : BackgroundService
{
    public const int Batch = 1000;

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await audit.PruneAsync(clock.GetUtcNow().UtcDateTime - options.Value.Auth.AuditRetention, Batch, stoppingToken);
                await identity.DeleteExpiredSessionsAsync(Batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPruneFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the audit log and expired sessions failed; the next pass tries again")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
