using System.Security.Cryptography;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Reads;

namespace AnprWatch.Core.Hits;

/// <summary>One read matching one marker under the hit policy: the stored record behind every alert (DESIGN §4.4).</summary>
public sealed record Hit
{
    /// <summary>
    /// Stored state, not a decision: the alert topic acknowledged this hit's alert. A re-processed read (after a crash
    /// or a rebalance) does not send it again.
    /// </summary>
    public bool AlertDelivered { get; init; }

    public required string HitId { get; init; }
    public required string AlertId { get; init; }
    public required string ReadId { get; init; }
    public required string MarkerId { get; init; }
    public required string Vrm { get; init; }
    public required string MarkerVrm { get; init; }
    public required MatchKind MatchKind { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public required string CameraId { get; init; }
    public string? Site { get; init; }
    public double? Lat { get; init; }
    public double? Lon { get; init; }
    public string? Direction { get; init; }
    public string? Lane { get; init; }
    public double? Confidence { get; init; }
    public required Force CameraForce { get; init; }
    public required Force HostForce { get; init; }
    public required RiskLevel Risk { get; init; }
    public required Priority Priority { get; init; }
    public required string SuspectRef { get; init; }
    public string? Operation { get; init; }
    public string? Action { get; init; }
    public string? Contact { get; init; }
    public required bool ReviewOverdue { get; init; }
    public string? PlateImageUrl { get; init; }
    public string? OverviewImageUrl { get; init; }
    public required bool InForce { get; init; }
    public NotAlertedReason NotAlertedReason { get; init; }
    public string? Outcome { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>The nearest active flagged location holding the read, which raised the priority one step (DESIGN §8), or null.</summary>
    public string? LocationRef { get; init; }

    /// <summary>Another exact sighting of this marker is too far away for the time between them (DESIGN §8).</summary>
    public bool PossibleClone { get; init; }

    /// <summary>The hit of that other sighting, or null when it was not a stored hit (an in-force read, say).</summary>
    public string? CloneOfHitId { get; init; }

    /// <summary>An ocr-equivalent alert confirmed by a later exact read of the same marker: that read's observedAt.</summary>
    public DateTimeOffset? ConfirmedAt { get; init; }

    /// <summary>The exact read that confirmed this ocr-equivalent alert.</summary>
    public string? ConfirmingReadId { get; init; }

    /// <summary>
    /// Pipeline state, not a stored field: this exact hit (suppressed as a repeat) confirms the earlier ocr-equivalent
    /// alert with this hit id; storing the hit stores the confirmation.
    /// </summary>
    public string? ConfirmsHitId { get; init; }

    public bool VerifyPlate => MatchKind == MatchKind.OcrEquivalent;
    public bool Alerted => NotAlertedReason == NotAlertedReason.None;

    public static Hit Create(PlateRead read, Marker marker, MatchKind kind, HitAssessment assessment, DateTimeOffset recordedAt)
    {
        var hitId = HitIds.ForHit(read.ReadId, marker.MarkerId);
        return new Hit
        {
            HitId = hitId,
            AlertId = HitIds.ForAlert(hitId),
            ReadId = read.ReadId,
            MarkerId = marker.MarkerId,
            Vrm = read.Vrm,
            MarkerVrm = marker.Vrm,
            MatchKind = kind,
            ObservedAt = read.ObservedAt,
            CameraId = read.CameraId,
            Site = read.Site,
            Lat = read.Lat,
            Lon = read.Lon,
            Direction = read.Direction,
            Lane = read.Lane,
            Confidence = read.Confidence,
            CameraForce = read.CameraForce,
            HostForce = marker.HostForce,
            Risk = marker.Risk,
            Priority = assessment.Priority,
            SuspectRef = marker.SuspectRef,
            Operation = marker.Operation,
            Action = marker.Action,
            Contact = marker.Contact,
            ReviewOverdue = assessment.ReviewOverdue,
            PlateImageUrl = read.PlateImageUrl,
            OverviewImageUrl = read.OverviewImageUrl,
            InForce = assessment.InForce,
            RecordedAt = recordedAt,
            LocationRef = assessment.LocationRef,
        };
    }
}

/// <summary>
/// Hit and alert ids derive from (readId, markerId): a read processed twice (crash, redelivery, rebalance) yields the
/// same ids, so the store's uniqueness and consumers' de-duplication both hold.
/// </summary>
public static class HitIds
{
    public static string ForHit(string readId, string markerId) => "h-" + Hash(readId + "\n" + markerId);

    public static string ForAlert(string hitId) => "a-" + hitId[2..];

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));
}
