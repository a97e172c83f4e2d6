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

    public void Plan(Hit hit, List<OutboxEntry> into)
    {
        foreach (var webhook in options.Webhooks)
        {
            if (webhook.Filter.Matches(hit))
            {
                into.Add(Entry(hit, Webhook, webhook.Url.ToString(), webhook.Filter));
            }
        }

        foreach (var recipient in options.Recipients)
        {
            if (recipient.Filter.Matches(hit))
            {
                into.Add(Entry(hit, Email, recipient.Address, recipient.Filter));
            }
        }
    }

    private static OutboxEntry Entry(Hit hit, string channel, string target, Subscription filter)
        => new(hit.AlertId, hit.HitId, channel, target, hit.Priority.Label(),
            JsonSerializer.Serialize(AlertMessage.From(hit, filter.RoutedTo(hit)), ContractJson.Options));
}
