using AnprWatch.Core.Time;
using AnprWatch.Hosting;
using AnprWatch.Storage.Housekeeping;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Worker;

/// <summary>
/// Once a day inside serve: the retention purge (DESIGN §5) and the review-due summary for the bureau (counts per
/// force only: the log never carries a plate).
/// </summary>
public sealed partial class DailyHousekeeping(AppServices services, ServeOptions options, Storage.Notifications.OutboxStore outbox, ILogger<DailyHousekeeping> logger) : BackgroundService
{
    private static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}";
    private readonly HousekeepingRuns _runs = new(services.Database);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), services.Clock);
        do
        {
            try
            {
                var today = UkTime.Today(services.Clock);
                var before = services.HitRetentionCut(today);

                // Once per store per UK day, whichever replica gets there first: one purge, one erasure audit entry.
                if (await _runs.TryClaimAsync(HousekeepingRuns.RetentionPurge, today, Instance, services.Clock.GetUtcNow(), stoppingToken).ConfigureAwait(false))
                {
                    var purged = await services.Hits.PurgeAsync(before, "anprwatch serve", services.Audit, services.Clock, stoppingToken).ConfigureAwait(false);
                    LogPurged(purged, services.Options.RetentionHitDays);
                }
                else
                {
                    LogPurgeTaken(today);
                }

                // Delivered notifications are kept a while for the record, then go; none outlives the hit retention limit.
                var notifications = await outbox.PurgeAsync(services.Clock.GetUtcNow() - options.Notify.KeepDeliveredFor, before, stoppingToken).ConfigureAwait(false);
                LogOutboxPurged(notifications);

                foreach (var force in await services.Markers.ReviewDueCountsAsync(today, today.AddDays(7), stoppingToken).ConfigureAwait(false))
                {
                    if (force.Overdue + force.DueSoon > 0)
                    {
                        LogReviewDue(force.ForceCode, force.Overdue, force.DueSoon);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Housekeeping must never stop the worker: a failed purge or summary is logged and tried again tomorrow.
                LogFailed(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retention purge: {Count} hits older than {Days} days deleted")]
    private partial void LogPurged(long count, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "retention purge for {Day} already run by another instance on this store")]
    private partial void LogPurgeTaken(DateOnly day);

    [LoggerMessage(Level = LogLevel.Information, Message = "retention purge: {Count} notification outbox rows deleted (delivered and past Notify:KeepDeliveredFor, or past the hit retention limit)")]
    private partial void LogOutboxPurged(long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "review-due summary: {Force} has {Overdue} markers overdue for review and {DueSoon} due within 7 days")]
    private partial void LogReviewDue(string force, long overdue, long dueSoon);

    [LoggerMessage(Level = LogLevel.Warning, Message = "daily housekeeping failed, will retry tomorrow: {Reason}")]
    private partial void LogFailed(string reason);
}
