using System.Security.Cryptography;
using System.Text;

namespace AnprWatch.Storage.Notifications;

/// <summary>
/// One notification to send: an alert's JSON for one channel (<c>webhook</c>|<c>email</c>) and target (URL or address).
/// A <paramref name="Confirmation"/> is the later confirmation of a misread alert (DESIGN §8): the same alert JSON
/// again, same <c>alertId</c>, with <c>confirmedAt</c> and <c>confirmingReadId</c> set, as a delivery of its own.
/// </summary>
public sealed record OutboxEntry(string AlertId, string HitId, string Channel, string Target, string Priority, string Body, bool Confirmation = false)
{
    /// <summary>
    /// Derived, never random: the same alert for the same target always gets the same id, so a read re-processed after a
    /// crash (or by a second instance) queues nothing twice, and a receiver de-duplicates a repeated send on it. An
    /// alert has at most one confirmation (the first wins), so its confirmation's id is derived from the alert id too.
    /// </summary>
    public string DeliveryId => IdOf(Confirmation ? AlertId + "\nconfirmation" : AlertId, Channel, Target);

    public static string IdOf(string alertId, string channel, string target)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{alertId}\n{channel}\n{target}")))[..32];
}

/// <summary>Decides which notifications a stored, alerted hit needs; none when nothing is subscribed.</summary>
public interface IOutboxPlanner
{
    bool IsEmpty { get; }

    void Plan(Core.Hits.Hit hit, List<OutboxEntry> into);

    /// <summary>The notifications of an alerted hit's confirmation (the hit as stored, with its confirmation), to the same subscribers.</summary>
    void PlanConfirmation(Core.Hits.Hit confirmed, List<OutboxEntry> into);
}

/// <summary>A queued notification as the dispatcher claims it and the admin API lists it.</summary>
public sealed record OutboxRow
{
    public required string DeliveryId { get; init; }
    public required string AlertId { get; init; }
    public required string HitId { get; init; }
    public required string Channel { get; init; }
    public required string Target { get; init; }
    public required string Priority { get; init; }
    /// <summary>Only a claimed row carries the body (the alert's JSON, with its plate); listings leave it empty.</summary>
    public string Body { get; init; } = "";
    public required long CreatedAtMs { get; init; }
    public required int Attempts { get; init; }
    public required long NextAttemptAtMs { get; init; }
    public string? LastError { get; init; }
    public long? DeliveredAtMs { get; init; }
}

/// <summary>What the outbox holds now: undelivered rows, those of them that failed at least once, and the oldest one's age.</summary>
public sealed record OutboxCounts(long Pending, long Failing, long? OldestPendingCreatedAtMs);
