using System.Security.Cryptography;
using System.Text;

namespace AnprWatch.Storage.Notifications;

/// <summary>One notification to send: an alert's JSON for one channel (<c>webhook</c>|<c>email</c>) and target (URL or address).</summary>
public sealed record OutboxEntry(string AlertId, string HitId, string Channel, string Target, string Priority, string Body)
{
    /// <summary>
    /// Derived, never random: the same alert for the same target always gets the same id, so a read re-processed after a
    /// crash (or by a second instance) queues nothing twice, and a receiver de-duplicates a repeated send on it.
    /// </summary>
    public string DeliveryId => IdOf(AlertId, Channel, Target);

    public static string IdOf(string alertId, string channel, string target)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{alertId}\n{channel}\n{target}")))[..32];
}

/// <summary>Decides which notifications a stored, alerted hit needs; none when nothing is subscribed.</summary>
public interface IOutboxPlanner
{
    bool IsEmpty { get; }

    void Plan(Core.Hits.Hit hit, List<OutboxEntry> into);
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
