using System.Text.Json;
using AnprWatch.Core.Hits;
using AnprWatch.Storage.Notifications;

namespace AnprWatch.Notifications;

/// <summary>
/// The outbox rows an alerted hit needs: one per matching webhook and per matching e-mail recipient. The body is the
/// §4.3 alert JSON exactly as the alert sinks write it (same record, same serializer options), as the copy routed to
/// the subscriber's force.
/// </summary>
public sealed class NotificationPlanner(NotifyOptions options) : IOutboxPlanner
{
    public const string Webhook = "webhook";
    public const string Email = "email";

    public bool IsEmpty => options.IsEmpty;

    /// <summary>
    /// The alert itself, as the alert sinks send it first: without a confirmation, even when the confirming read was
    /// stored in the same batch (that goes as a confirmation of its own).
    /// </summary>
    public void Plan(Hit hit, List<OutboxEntry> into) => Plan(hit with { ConfirmedAt = null, ConfirmingReadId = null }, into, confirmation: false);

    /// <summary>
    /// A confirmed misread (DESIGN §8) goes to every subscriber its alert went to (the same filter on the same hit),
    /// as the alert JSON again with <c>confirmedAt</c> and <c>confirmingReadId</c>: receivers that only saw "verify
    /// plate" learn that the plate was verified.
    /// </summary>
    public void PlanConfirmation(Hit confirmed, List<OutboxEntry> into)
    {
        if (confirmed.Alerted && confirmed.ConfirmedAt is not null)
        {
            Plan(confirmed, into, confirmation: true);
        }
    }

    private void Plan(Hit hit, List<OutboxEntry> into, bool confirmation)
    {
        foreach (var webhook in options.Webhooks)
        {
            if (webhook.Filter.Matches(hit))
            {
                into.Add(Entry(hit, Webhook, webhook.Url.ToString(), webhook.Filter, confirmation));
            }
        }

        foreach (var recipient in options.Recipients)
        {
            if (recipient.Filter.Matches(hit))
            {
                into.Add(Entry(hit, Email, recipient.Address, recipient.Filter, confirmation));
            }
        }
    }

    private static OutboxEntry Entry(Hit hit, string channel, string target, Subscription filter, bool confirmation)
        => new(hit.AlertId, hit.HitId, channel, target, hit.Priority.Label(),
            JsonSerializer.Serialize(AlertMessage.From(hit, filter.RoutedTo(hit)), ContractJson.Options), confirmation);
}
