using System.Text.Json;
using System.Text.Json.Serialization;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Hits;

public sealed record ForceRef(string Code, string Name, string Region)
{
    public static ForceRef Of(Force force) => new(force.Code, force.Name, force.Region);
}

/// <summary>
/// The alert message on <c>anpr.alerts</c> (DESIGN §4.3, §8); <see cref="RoutedTo"/> names the force of this copy. A
/// confirmation of an ocr-equivalent alert is the same message again (same <c>alertId</c>) with <see cref="ConfirmedAt"/>
/// and <see cref="ConfirmingReadId"/> set.
/// </summary>
public record AlertMessage(
    string AlertId, string HitId, string ReadId, string Vrm, string MarkerVrm, string MatchKind, bool VerifyPlate,
    DateTimeOffset ObservedAt, string CameraId, string? Site, double? Lat, double? Lon, string? Direction,
    ForceRef CameraForce, ForceRef HostForce, string Risk, string Priority, string SuspectRef, string? Operation,
    string? Action, string? Contact, bool ReviewOverdue, string? PlateImageUrl, string? OverviewImageUrl, string? RoutedTo,
    bool PossibleClone, string? CloneOfHitId, DateTimeOffset? ConfirmedAt, string? ConfirmingReadId, string? LocationRef = null)
{
    public static AlertMessage From(Hit hit, Force? routedTo) => new(
        hit.AlertId, hit.HitId, hit.ReadId, hit.Vrm, hit.MarkerVrm, hit.MatchKind.Label(), hit.VerifyPlate,
        hit.ObservedAt, hit.CameraId, hit.Site, hit.Lat, hit.Lon, hit.Direction,
        ForceRef.Of(hit.CameraForce), ForceRef.Of(hit.HostForce), hit.Risk.Label(), hit.Priority.Label(), hit.SuspectRef,
        hit.Operation, hit.Action, hit.Contact, hit.ReviewOverdue, hit.PlateImageUrl, hit.OverviewImageUrl, routedTo?.Code,
        hit.PossibleClone, hit.CloneOfHitId, hit.ConfirmedAt, hit.ConfirmingReadId, hit.LocationRef);

    /// <summary>The copies to publish: one for the camera's force and one for the host force (one when they are the same).</summary>
    public static IEnumerable<(Force Key, AlertMessage Message)> Copies(Hit hit)
    {
        yield return (hit.CameraForce, From(hit, hit.CameraForce));
        if (hit.HostForce != hit.CameraForce)
        {
            yield return (hit.HostForce, From(hit, hit.HostForce));
        }
    }
}

/// <summary>A hit as <c>hits list --format json</c> prints it and <c>GET /api/hits</c> returns it (DESIGN §4.4).</summary>
public sealed record HitView(
    string AlertId, string HitId, string ReadId, string Vrm, string MarkerVrm, string MatchKind, bool VerifyPlate,
    DateTimeOffset ObservedAt, string CameraId, string? Site, double? Lat, double? Lon, string? Direction,
    ForceRef CameraForce, ForceRef HostForce, string Risk, string Priority, string SuspectRef, string? Operation,
    string? Action, string? Contact, bool ReviewOverdue, string? PlateImageUrl, string? OverviewImageUrl,
    string MarkerId, bool Alerted, string? NotAlertedReason, bool InForce, string? Outcome, DateTimeOffset RecordedAt,
    string? Lane, double? Confidence, bool PossibleClone, string? CloneOfHitId, DateTimeOffset? ConfirmedAt, string? ConfirmingReadId, string? LocationRef = null)
{
    public static HitView From(Hit hit) => new(
        hit.AlertId, hit.HitId, hit.ReadId, hit.Vrm, hit.MarkerVrm, hit.MatchKind.Label(), hit.VerifyPlate,
        hit.ObservedAt, hit.CameraId, hit.Site, hit.Lat, hit.Lon, hit.Direction,
        ForceRef.Of(hit.CameraForce), ForceRef.Of(hit.HostForce), hit.Risk.Label(), hit.Priority.Label(), hit.SuspectRef,
        hit.Operation, hit.Action, hit.Contact, hit.ReviewOverdue, hit.PlateImageUrl, hit.OverviewImageUrl,
        hit.MarkerId, hit.Alerted, hit.NotAlertedReason.Label(), hit.InForce, hit.Outcome, hit.RecordedAt, hit.Lane, hit.Confidence,
        hit.PossibleClone, hit.CloneOfHitId, hit.ConfirmedAt, hit.ConfirmingReadId, hit.LocationRef);
}

public static class ContractJson
{
    /// <summary>camelCase, nulls written (a contract field is present even when empty), no indentation for JSON lines.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}
