using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// The store side of possible clones and confirmed misreads (DESIGN §8, migration 0220), on both dialects like
/// <see cref="StorageContractTests"/>: flags are kept only for hits stored for the first time, the first confirmation
/// wins, each batch's latest-sighting lookup, delivery bookkeeping and the purge.
/// </summary>
[TestFixtureSource(typeof(StorageContractTests), nameof(StorageContractTests.Dialects))]
public class HitEnrichmentContractTests(string dialect)
{
    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");
    private static readonly DateTimeOffset T = new(2026, 6, 1, 22, 0, 0, TimeSpan.Zero);
    private static readonly Marker Marker = new("AB12CDE", "SR-1", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, null, null, null, "ACT");
    private static readonly Marker Other = new("XY12ZZZ", "SR-2", RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, null, null, null, "ACT");

    private StoreFixture _store = null!;

    [SetUp]
    public async Task SetUp() => _store = await StoreFixture.CreateAsync(dialect);

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    private static Hit H(string readId, Marker marker, DateTimeOffset at, MatchKind kind = MatchKind.Exact, double? lat = 51.45)
    {
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        return new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = kind, ObservedAt = at, CameraId = "CAM", Lat = lat, Lon = lat is null ? null : -2.59, CameraForce = Wiltshire, HostForce = Avon,
            Risk = RiskLevel.High, Priority = Priority.Urgent, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false, RecordedAt = at,
        };
    }

    [Test]
    public async Task A_clone_flag_is_stored_with_a_new_hit_and_never_added_to_one_already_stored()
    {
        var first = H("r-1", Marker, T);
        var clone = H("r-2", Marker, T.AddMinutes(3)) with { PossibleClone = true, CloneOfHitId = first.HitId };
        var noPartner = H("r-3", Marker, T.AddMinutes(4)) with { PossibleClone = true };
        var stored = await _store.Hits.SaveHitsAsync([first, clone, noPartner], CancellationToken.None);
        Assert.That(stored.Select(h => (h.PossibleClone, h.CloneOfHitId)), Is.EqualTo(new[] { (false, (string?)null), (true, first.HitId), (true, null) }));

        // Re-processing r-1 with a different verdict keeps the original decision.
        var again = await _store.Hits.SaveHitsAsync([first with { PossibleClone = true, CloneOfHitId = clone.HitId }], CancellationToken.None);
        Assert.That(again.Single().PossibleClone, Is.False);
    }

    [Test]
    public async Task The_first_confirmation_wins_and_its_delivery_is_recorded_once()
    {
        var misread = H("r-1", Marker, T, MatchKind.OcrEquivalent);
        await _store.Hits.SaveHitsAsync([misread], CancellationToken.None);
        var last = await _store.Hits.LastAlertedHitAsync(Marker.MarkerId, Wiltshire.Code, T.AddMinutes(-15), T.AddSeconds(1), "none", CancellationToken.None);
        Assert.That(last, Is.EqualTo(new Core.Pipeline.AlertedHitRef(misread.HitId, T, MatchKind.OcrEquivalent, null, 51.45, -2.59)));

        await _store.Hits.SaveHitsAsync([H("r-2", Marker, T.AddSeconds(1)) with { NotAlertedReason = NotAlertedReason.Suppressed, ConfirmsHitId = misread.HitId }], CancellationToken.None);
        await _store.Hits.SaveHitsAsync([H("r-3", Marker, T.AddSeconds(9)) with { NotAlertedReason = NotAlertedReason.Suppressed, ConfirmsHitId = misread.HitId }], CancellationToken.None);

        var pending = await _store.Hits.UndeliveredConfirmationsAsync([misread.HitId], CancellationToken.None);
        Assert.That(pending.Select(h => (h.HitId, h.ConfirmingReadId, h.ConfirmedAt)), Is.EqualTo(new[] { (misread.HitId, (string?)"r-2", (DateTimeOffset?)T.AddSeconds(1)) }));
        Assert.That((await _store.Hits.LastAlertedHitAsync(Marker.MarkerId, Wiltshire.Code, T.AddMinutes(-15), T.AddSeconds(9), "none", CancellationToken.None))!.ConfirmingReadId, Is.EqualTo("r-2"));

        await _store.Hits.MarkConfirmationsDeliveredAsync([misread.HitId], T.AddMinutes(1), CancellationToken.None);
        Assert.That(await _store.Hits.UndeliveredConfirmationsAsync([misread.HitId], CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task The_latest_sighting_per_marker_is_its_latest_exact_positioned_hit_in_the_window()
    {
        await _store.Hits.SaveHitsAsync(
        [
            H("r-1", Marker, T), H("r-2", Marker, T.AddMinutes(5)),
            H("r-3", Marker, T.AddMinutes(6), MatchKind.OcrEquivalent),   // a misread: maybe another vehicle
            H("r-4", Marker, T.AddMinutes(7), lat: null),                  // no position
            H("r-5", Marker, T.AddHours(5)),                               // outside the window asked for
            H("r-6", Other, T.AddMinutes(1)),
        ], CancellationToken.None);
        var sightings = await _store.Hits.LatestSightingsAsync([Marker.MarkerId, Other.MarkerId, "unknown"], T.AddHours(-2), T.AddHours(2), CancellationToken.None);
        Assert.That(sightings.Select(s => (s.MarkerId, s.Sighting.ReadId, s.Sighting.HitId, s.Sighting.ObservedTicks)).OrderBy(s => s.ReadId, StringComparer.Ordinal), Is.EqualTo(new[]
        {
            (Marker.MarkerId, "r-2", (string?)HitIds.ForHit("r-2", Marker.MarkerId), T.AddMinutes(5).UtcTicks),
            (Other.MarkerId, "r-6", (string?)HitIds.ForHit("r-6", Other.MarkerId), T.AddMinutes(1).UtcTicks),
        }));
        Assert.That(sightings.Select(s => (s.Sighting.Lat, s.Sighting.Lon)), Is.All.EqualTo((51.45, -2.59)));
    }

    [Test]
    public async Task The_purge_removes_flags_and_confirmations_with_their_hits()
    {
        var misread = H("r-1", Marker, T, MatchKind.OcrEquivalent) with { PossibleClone = true };
        await _store.Hits.SaveHitsAsync([misread, H("r-2", Marker, T.AddSeconds(1)) with { ConfirmsHitId = misread.HitId }], CancellationToken.None);
        await _store.Hits.PurgeAsync(T.AddDays(1), "system", _store.Audit, _store.Clock);
        Assert.That(await _store.Hits.QueryAsync(new Hits.HitQuery(T.AddDays(-1), T.AddDays(1))), Is.Empty);
        Assert.That(await _store.Hits.UndeliveredConfirmationsAsync([misread.HitId], CancellationToken.None), Is.Empty);
        Assert.That(await _store.Hits.SaveHitsAsync([misread with { PossibleClone = false }], CancellationToken.None), Has.All.Property(nameof(Hit.PossibleClone)).False, "no stale flag left behind");
    }
}
