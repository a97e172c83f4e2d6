using System.Diagnostics.Metrics;
using AnprWatch.Core.Pipeline;
using AnprWatch.Storage.Notifications;

namespace AnprWatch.Notifications;

/// <summary>
/// What the dispatcher last saw of the outbox, for the metrics and the <c>/readyz</c> detail. A backlog is reported,
/// never a reason to be unready: the pipeline works on while a receiver is down, and the outbox holds what it owes.
/// </summary>
public sealed class NotificationStatus
{
    public static readonly Counter<long> Failures = PipelineTelemetry.Meter.CreateCounter<long>("anprwatch.notify.failures", "{attempt}", "Notification attempts that failed (receiver not 2xx, SMTP refusal, network error), by channel.");
    public static readonly Counter<long> Delivered = PipelineTelemetry.Meter.CreateCounter<long>("anprwatch.notify.delivered", "{notification}", "Notifications accepted by their receiver, by channel.");

    private readonly ObservableGauge<long> _pending;
    private readonly ObservableGauge<long> _failing;
    private volatile Snapshot? _last;

    public NotificationStatus(NotifyOptions options)
    {
        Configured = $"{options.Webhooks.Count} webhooks, {options.Recipients.Count} e-mail recipients";
        _pending = PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.notify.pending", () => _last?.Counts.Pending ?? 0L, "{notification}", "Notifications queued in the outbox and not yet accepted.");
        _failing = PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.notify.failing", () => _last?.Counts.Failing ?? 0L, "{notification}", "Queued notifications whose last attempt failed.");
    }

    private sealed record Snapshot(OutboxCounts Counts, DateTimeOffset At);

    public string Configured { get; }

    public OutboxCounts? Counts => _last?.Counts;

    public void Update(OutboxCounts counts, DateTimeOffset at) => _last = new Snapshot(counts, at);

    /// <summary>The <c>notifications</c> entry of the <c>/readyz</c> body.</summary>
    public object Describe()
    {
        var last = _last;
        return new
        {
            configured = Configured,
            pending = last?.Counts.Pending,
            failing = last?.Counts.Failing,
            oldestPendingSince = last?.Counts.OldestPendingCreatedAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null,
            checkedAt = last?.At,
        };
    }
}
