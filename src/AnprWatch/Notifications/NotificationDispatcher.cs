using AnprWatch.Storage.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Notifications;

/// <summary>
/// serve's sender of queued notifications: claims due outbox rows under a lease, sends each through its channel, and
/// records delivery or the failure with the next attempt's time (<see cref="RetryBackoff"/>). Retries never give up:
/// a row is owed until its receiver accepts it. A crash mid-send leaves the row leased; when the lease runs out any
/// instance sends it again, with the same delivery id and alertId.
/// </summary>
public sealed partial class NotificationDispatcher(
    OutboxStore store,
    NotifyOptions options,
    IEnumerable<INotificationChannel> channels,
    NotificationStatus status,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    /// <summary>Rows claimed at once: few, so a lease is never held on rows that wait behind a slow receiver for long.</summary>
    public const int ClaimSize = 16;

    private readonly Dictionary<string, INotificationChannel> _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await DispatchDueAsync(stoppingToken).ConfigureAwait(false);
                status.Update(await store.CountAsync(stoppingToken).ConfigureAwait(false), clock.GetUtcNow());

                // A full claim means more may be due: go again at once rather than after the poll interval.
                if (claimed == ClaimSize)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The store is down or paused: nothing is lost (the rows stay queued); try again on the next tick.
                LogDispatchFailed(ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(options.PollInterval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One claim and its sends; returns how many rows were claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var owner = "d-" + Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        var rows = await store.ClaimDueAsync(owner, now, now + options.Lease, ClaimSize, cancellationToken).ConfigureAwait(false);

        // Sent side by side: the claim then takes at most one Notify:Timeout, well inside its lease, even when every
        // receiver hangs; one slow receiver does not hold up the others' rows either.
        await Task.WhenAll(rows.Select(row => SendOneAsync(row, owner, cancellationToken))).ConfigureAwait(false);
        return rows.Count;
    }

    private async Task SendOneAsync(OutboxRow row, string owner, CancellationToken cancellationToken)
    {
        var tag = new KeyValuePair<string, object?>("channel", row.Channel);
        string error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            if (!_channels.TryGetValue(row.Channel, out var channel))
            {
                throw new NotificationRefusedException($"no channel '{row.Channel}' in this build");
            }

            try
            {
                await channel.SendAsync(row, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {options.Timeout.TotalSeconds:0.#} s (Notify:Timeout)");
            }

            await store.MarkDeliveredAsync(row.DeliveryId, owner, clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            NotificationStatus.Delivered.Add(1, tag);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-send: the lease runs out and the row is sent again (same delivery id), never dropped.
            throw;
        }
        catch (Exception ex)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
        }

        var failed = row.Attempts + 1;
        var next = clock.GetUtcNow() + RetryBackoff.Delay(failed, options.RetryBaseDelay, options.RetryMaxDelay, Random.Shared.NextDouble());
        await store.MarkFailedAsync(row.DeliveryId, owner, next, error, CancellationToken.None).ConfigureAwait(false);
        NotificationStatus.Failures.Add(1, tag);
        // The delivery id and channel identify the row for an operator (GET /api/admin/notifications); never the plate.
        LogSendFailed(row.Channel, row.DeliveryId, failed, error, next);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "notification {Channel} {DeliveryId} attempt {Attempt} failed ({Error}); next attempt at {Next:O}")]
    private partial void LogSendFailed(string channel, string deliveryId, int attempt, string error, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the notification dispatcher could not reach the outbox ({ExceptionType}: {Error}); it tries again shortly")]
    private partial void LogDispatchFailed(string exceptionType, string error);
}
