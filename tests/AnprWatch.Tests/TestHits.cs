using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Hits;

namespace AnprWatch.Tests;

/// <summary>Stores hits straight into a runner's SQLite file, as the pipeline would, for tests of what reads them.</summary>
public static class TestHits
{
    public static async Task<Hit> StoreAsync(CliRunner cli, string readId, RiskLevel risk = RiskLevel.High, Priority priority = Priority.Urgent, string camera = "wiltshire", DateTimeOffset? observedAt = null,
        string host = "avon-and-somerset", AnprWatch.Storage.Notifications.IOutboxPlanner? outbox = null, string? plateImageUrl = null, string? overviewImageUrl = null, string vrm = "AB12CDE", Func<Hit, Hit>? shape = null)
    {
        var marker = new Marker(vrm, "SR-BOARD", risk, ForceRegistry.Get(host), new DateOnly(2099, 1, 1), null, "RAILCAR", "Notify RIU; do not stop", "RIU 0117", "ACT");
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        var now = observedAt ?? TestClock.UtcNow;
        var hit = new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = now, CameraId = "WIL-CAM-001", Site = "A350 northbound", CameraForce = ForceRegistry.Get(camera),
            HostForce = marker.HostForce, Risk = risk, Priority = priority, SuspectRef = marker.SuspectRef, Operation = marker.Operation, Action = marker.Action,
            Contact = marker.Contact, ReviewOverdue = false, InForce = false, RecordedAt = now,
            PlateImageUrl = plateImageUrl, OverviewImageUrl = overviewImageUrl,
        };
        var store = new HitStore(new Database(new SqliteDialect($"Data Source={cli.Database}")), outbox);
        return (await store.SaveHitsAsync([shape is null ? hit : shape(hit)], CancellationToken.None)).Single();
    }
}
