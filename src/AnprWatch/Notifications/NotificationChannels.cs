using AnprWatch.Storage.Notifications;

namespace AnprWatch.Notifications;

/// <summary>One way of sending an outbox row. Returns when the receiver accepted it; throws <see cref="NotificationRefusedException"/> (or any I/O error) when not.</summary>
public interface INotificationChannel
{
    string Name { get; }

    Task SendAsync(OutboxRow row, CancellationToken cancellationToken);
}

/// <summary>The receiver answered but did not accept (a non-2xx status, an SMTP rejection, a target no longer configured).</summary>
public sealed class NotificationRefusedException(string message) : Exception(message);

/// <summary>Headers every send carries so receivers can verify and de-duplicate.</summary>
public static class NotificationHeaders
{
    /// <summary><c>sha256=&lt;lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the webhook's secret&gt;</c>.</summary>
    public const string Signature = "X-AnprWatch-Signature";

    /// <summary>The outbox row's id: the same on every retry and after a crash, so a repeat is recognisable.</summary>
    public const string Delivery = "X-AnprWatch-Delivery";

    /// <summary>The alert's <c>alertId</c>, also inside the body.</summary>
    public const string AlertId = "X-AnprWatch-Alert-Id";
}
