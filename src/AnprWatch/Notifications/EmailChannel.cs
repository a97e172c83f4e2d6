using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AnprWatch.Core.Time;
using AnprWatch.Storage.Notifications;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AnprWatch.Notifications;

/// <summary>
/// One e-mail per recipient per alert over SMTP (MailKit). The subject never names a plate (it shows on lock screens
/// and in mail server logs); by default the body does not either: priority, forces, time and a link to the board.
/// </summary>
public sealed class EmailChannel(NotifyOptions options) : INotificationChannel
{
    public string Name => NotificationPlanner.Email;

    public async Task SendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var smtp = options.Smtp ?? throw new NotificationRefusedException("no SMTP server is configured (Notify:Email:Smtp:Host); the row waits until one is");
        if (!options.Recipients.Any(r => r.Address == row.Target))
        {
            throw new NotificationRefusedException("this recipient is no longer configured (Notify:Email:Recipients); the row waits until it is");
        }

        var message = Compose(row, smtp.From, options.BoardUrl, options.EmailIncludesPlate);
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        var security = !smtp.UseTls ? SecureSocketOptions.None : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken).ConfigureAwait(false);
            if (smtp.User is not null)
            {
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException ex)
        {
            throw new NotificationRefusedException($"the SMTP server refused the message ({(int)ex.StatusCode} {ex.ErrorCode})");
        }
    }

    /// <summary>The message for one outbox row, from the alert JSON it carries.</summary>
    public static MimeMessage Compose(OutboxRow row, string from, Uri? boardUrl, bool includePlate)
    {
        var alert = JsonNode.Parse(row.Body)!;
        var priority = (string?)alert["priority"] ?? row.Priority;
        var camera = (string?)alert["cameraForce"]?["name"] ?? "";
        var host = (string?)alert["hostForce"]?["name"] ?? "";
        var observed = alert["observedAt"]!.GetValue<DateTimeOffset>();
        var local = UkTime.ToLocal(observed);

        var forces = camera == host ? camera : $"{camera} (marker held by {host})";

        // A confirmed misread (DESIGN §8): the same alert, now verified by an exact read of the plate.
        var confirmedAt = alert["confirmedAt"]?.GetValue<DateTimeOffset>();
        var message = new MimeMessage
        {
            Subject = confirmedAt is null ? $"AnprWatch {priority.ToUpperInvariant()} alert: {forces}" : $"AnprWatch {priority.ToUpperInvariant()} alert confirmed: {forces}",
            // Derived from the delivery id: a repeat after a crash is the same message to a mail client.
            MessageId = $"{row.DeliveryId}@anprwatch",
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(row.Target));
        message.Headers.Add(NotificationHeaders.Delivery, row.DeliveryId);
        message.Headers.Add(NotificationHeaders.AlertId, row.AlertId);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Priority: {priority}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Camera force: {camera}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Marker held by: {host}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Observed: {local:yyyy-MM-dd HH:mm:ss} UK time ({observed.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})");
        if (includePlate)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Plate read: {(string?)alert["vrm"]} (marker {(string?)alert["markerVrm"]}, {(string?)alert["matchKind"]})");
        }

        if (confirmedAt is { } confirmed)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Confirmed: an exact read of the marked plate at {UkTime.ToLocal(confirmed):yyyy-MM-dd HH:mm:ss} UK time (read {(string?)alert["confirmingReadId"]}) verifies this \"verify plate\" alert.");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Alert: {row.AlertId}");
        text.AppendLine();
        text.AppendLine(boardUrl is null ? "Open the AnprWatch alert board for the details." : $"Open the alert board for the details: {boardUrl}");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }
}
