using Dapper;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Notifications;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// The notification outbox on SQLite: what is queued, who may send it, what a failure leaves and what housekeeping
/// removes. Every expected answer is written out (times as literal milliseconds from a fixed instant).
/// </summary>
public class OutboxContractTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private StoreFixture _store = null!;
    private OutboxStore _outbox = null!;

    [SetUp]
    public async Task SetUp()
    {
        _store = await StoreFixture.CreateAsync("sqlite");
        _outbox = new OutboxStore(_store.Database);
    }

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    private async Task<Hit> StoreHitAsync(string readId, NotAlertedReason reason = NotAlertedReason.None)
    {
        var marker = new Marker("AB12CDE", "SR-1", RiskLevel.High, ForceRegistry.Get("avon-and-somerset"), new DateOnly(2027, 1, 1), null, null, null, null, "ACT");
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        var hit = new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = T0, CameraId = "CAM", CameraForce = ForceRegistry.Get("wiltshire"), HostForce = marker.HostForce,
            Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false, NotAlertedReason = reason, RecordedAt = T0,
        };
        return (await _store.Hits.SaveHitsAsync([hit], CancellationToken.None)).Single();
    }

    private async Task EnqueueAsync(DateTimeOffset now, params OutboxEntry[] entries)
    {
        await using var connection = await _store.Database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await _outbox.EnqueueAsync(connection, transaction, entries, now, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static OutboxEntry Entry(Hit hit, string target = "https://hooks.example/riu")
        => new(hit.AlertId, hit.HitId, "webhook", target, "high", $$"""{"alertId":"{{hit.AlertId}}","vrm":"AB12CDE"}""");

    [Test]
    public void A_delivery_id_is_derived_from_alert_channel_and_target()
        => Assert.That(OutboxEntry.IdOf("alert-1", "webhook", "https://hooks.example/riu"), Is.EqualTo("5956b50f63a938c0ae83ac999dca72cb"));

    [Test]
    public async Task Only_an_alerted_undelivered_hit_is_queued_and_only_once_per_target()
    {
        var alerted = await StoreHitAsync("r-1");
        var suppressed = await StoreHitAsync("r-2", NotAlertedReason.Suppressed);
        await EnqueueAsync(T0, Entry(alerted), Entry(alerted), Entry(alerted, "mailto:riu@police.example"), Entry(suppressed));
        await EnqueueAsync(T0.AddMinutes(1), Entry(alerted)); // re-processed read

        var pending = await _outbox.ListAsync("pending", 10);
        Assert.That(pending.Select(r => (r.HitId, r.Target, r.Attempts, r.CreatedAtMs, r.NextAttemptAtMs, r.LastError, r.DeliveredAtMs)), Is.EquivalentTo(new[]
        {
            (alerted.HitId, "https://hooks.example/riu", 0, T0.ToUnixTimeMilliseconds(), T0.ToUnixTimeMilliseconds(), (string?)null, (long?)null),
            (alerted.HitId, "mailto:riu@police.example", 0, T0.ToUnixTimeMilliseconds(), T0.ToUnixTimeMilliseconds(), (string?)null, (long?)null),
        }));
        Assert.That(pending.Select(r => r.Body), Has.All.Empty, "a listing never carries the alert's body (it holds the plate)");
        Assert.That(pending.Select(r => r.DeliveryId), Is.EquivalentTo(new[] { Entry(alerted).DeliveryId, Entry(alerted, "mailto:riu@police.example").DeliveryId }));
        Assert.That(await _outbox.CountAsync(), Is.EqualTo(new OutboxCounts(2, 0, T0.ToUnixTimeMilliseconds())));
        Assert.That(await _outbox.ListAsync("pending", 1), Has.Count.EqualTo(1), "limit");
    }

    /// <summary>
    /// Found by an attack: a subscriber added after an alert was sent got its confirmation, "confirmed" for an alert it
    /// never had. A confirmation is queued only where its alert was queued: before, or in the same batch.
    /// </summary>
    [Test]
    public async Task A_confirmation_is_queued_only_for_a_target_its_alert_was_queued_for()
    {
        var alerted = await StoreHitAsync("r-1");
        await using (var connection = await _store.Database.OpenAsync())
        {
            await connection.ExecuteAsync($"INSERT INTO {_store.Database.Table("hit_confirmations")} (hit_id, confirming_read_id, confirmed_at_ms, confirmed_offset_min) VALUES (@id, 'r-2', @at, 0)",
                new { id = alerted.HitId, at = T0.AddMinutes(1).ToUnixTimeMilliseconds() });
        }

        OutboxEntry Confirmation(string target) => Entry(alerted, target) with { Confirmation = true };
        await EnqueueAsync(T0, Entry(alerted, "https://hooks.example/old"));
        await EnqueueAsync(T0.AddMinutes(1),
            Confirmation("https://hooks.example/old"),                                  // its alert queued before: queued
            Confirmation("https://hooks.example/new"),                                  // subscribed since: never had the alert
            Entry(alerted, "https://hooks.example/same-batch"), Confirmation("https://hooks.example/same-batch")); // both now

        var queued = (await _outbox.ListAsync("pending", 10)).Select(r => r.DeliveryId).ToList();
        Assert.That(queued, Is.EquivalentTo(new[]
        {
            Entry(alerted, "https://hooks.example/old").DeliveryId,
            Confirmation("https://hooks.example/old").DeliveryId,
            Entry(alerted, "https://hooks.example/same-batch").DeliveryId,
            Confirmation("https://hooks.example/same-batch").DeliveryId,
        }));
    }

    [Test]
    public async Task A_claimed_row_is_leased_to_one_sender_until_its_lease_ends_and_only_the_holder_settles_it()
    {
        var hit = await StoreHitAsync("r-1");
        await EnqueueAsync(T0, Entry(hit));
        Assert.That(await _outbox.ClaimDueAsync("pod-a", T0.AddSeconds(-1), T0.AddMinutes(1), 10), Is.Empty, "not due before its next attempt");

        var claimed = await _outbox.ClaimDueAsync("pod-a", T0, T0.AddMinutes(1), 10);
        Assert.That(claimed.Select(r => (r.DeliveryId, r.Body, r.Priority, r.Channel)), Is.EqualTo(new[] { (Entry(hit).DeliveryId, Entry(hit).Body, "high", "webhook") }));
        Assert.That(await _outbox.ClaimDueAsync("pod-b", T0.AddSeconds(59), T0.AddMinutes(2), 10), Is.Empty, "leased to pod-a");
        Assert.That(await _outbox.MarkDeliveredAsync(Entry(hit).DeliveryId, "pod-b", T0.AddSeconds(59)), Is.False, "pod-b holds no lease");

        // The lease ran out: pod-b takes the row over and pod-a can no longer settle it.
        Assert.That((await _outbox.ClaimDueAsync("pod-b", T0.AddMinutes(1), T0.AddMinutes(2), 10)).Select(r => r.DeliveryId), Is.EqualTo(new[] { Entry(hit).DeliveryId }));
        Assert.That(await _outbox.MarkFailedAsync(Entry(hit).DeliveryId, "pod-a", T0.AddMinutes(5), "late"), Is.False);
        Assert.That(await _outbox.MarkDeliveredAsync(Entry(hit).DeliveryId, "pod-b", T0.AddMinutes(1).AddSeconds(3)), Is.True);

        var row = (await _outbox.ListAsync("pending", 10));
        Assert.That(row, Is.Empty, "delivered rows are no longer pending");
        Assert.That(await _outbox.ClaimDueAsync("pod-c", T0.AddHours(1), T0.AddHours(2), 10), Is.Empty, "a delivered row is never sent again");
        Assert.That(await _outbox.CountAsync(), Is.EqualTo(new OutboxCounts(0, 0, null)));
    }

    [Test]
    public async Task A_failed_attempt_is_counted_keeps_at_most_1000_characters_of_its_error_and_is_due_again_later()
    {
        var hit = await StoreHitAsync("r-1");
        await EnqueueAsync(T0, Entry(hit));
        await _outbox.ClaimDueAsync("pod-a", T0, T0.AddMinutes(1), 10);
        Assert.That(await _outbox.MarkFailedAsync(Entry(hit).DeliveryId, "pod-a", T0.AddMinutes(10), new string('e', 1001)), Is.True);

        var failed = (await _outbox.ListAsync("failed", 10)).Single();
        Assert.That((failed.Attempts, failed.NextAttemptAtMs, failed.LastError), Is.EqualTo((1, T0.AddMinutes(10).ToUnixTimeMilliseconds(), (string?)new string('e', 1000))));
        Assert.That(await _outbox.CountAsync(), Is.EqualTo(new OutboxCounts(1, 1, T0.ToUnixTimeMilliseconds())));
        Assert.That(await _outbox.ClaimDueAsync("pod-b", T0.AddMinutes(9), T0.AddMinutes(20), 10), Is.Empty, "the lease was released but the retry is not due yet");
        Assert.That(await _outbox.ClaimDueAsync("pod-b", T0.AddMinutes(10), T0.AddMinutes(20), 10), Has.Count.EqualTo(1));
        Assert.That(await _outbox.MarkFailedAsync(Entry(hit).DeliveryId, "pod-b", T0.AddMinutes(30), "timeout"), Is.True);
        Assert.That((await _outbox.ListAsync("failed", 10)).Single().LastError, Is.EqualTo("timeout"));
    }

    [Test]
    public async Task Housekeeping_removes_rows_delivered_before_the_cut_and_every_row_older_than_hit_retention()
    {
        var delivered = await StoreHitAsync("r-1");
        var old = await StoreHitAsync("r-2");
        var recent = await StoreHitAsync("r-3");
        await EnqueueAsync(T0, Entry(delivered));
        await EnqueueAsync(T0.AddDays(-40), Entry(old));
        await EnqueueAsync(T0.AddDays(1), Entry(recent));
        await _outbox.ClaimDueAsync("pod-a", T0, T0.AddMinutes(1), 1);
        Assert.That(await _outbox.MarkDeliveredAsync(Entry(old).DeliveryId, "pod-a", T0), Is.True, "the oldest due row is claimed first");

        // Delivered before T0+1 ms: the delivered row goes; created before T0-30d: the old one goes (it was the delivered one here).
        await _outbox.ClaimDueAsync("pod-a", T0, T0.AddMinutes(1), 10);
        Assert.That(await _outbox.MarkDeliveredAsync(Entry(delivered).DeliveryId, "pod-a", T0.AddDays(2)), Is.True);
        Assert.That(await _outbox.PurgeAsync(T0.AddMilliseconds(1), T0.AddDays(-30)), Is.EqualTo(1));
        Assert.That((await _outbox.ListAsync("pending", 10)).Select(r => r.HitId), Is.EqualTo(new[] { recent.HitId }));
        Assert.That(await _outbox.PurgeAsync(T0.AddDays(3), T0.AddDays(-30)), Is.EqualTo(1), "the delivered one, delivered at T0+2d");
        Assert.That(await _outbox.PurgeAsync(T0.AddDays(3), T0.AddDays(2)), Is.EqualTo(1), "an undelivered row older than retention goes too");
        Assert.That(await _outbox.CountAsync(), Is.EqualTo(new OutboxCounts(0, 0, null)));
    }
}
