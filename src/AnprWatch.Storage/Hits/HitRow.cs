using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;

namespace AnprWatch.Storage.Hits;

/// <summary>The hits table row; also the Dapper parameter object for inserts (property names match the columns).</summary>
internal sealed class HitRow
{
    public const string Columns =
        "hit_id, alert_id, read_id, marker_id, vrm, marker_vrm, match_kind, observed_at_ms, observed_offset_min, camera_id, site, lat, lon, " +
        "direction, lane, confidence, camera_force, host_force, risk_level, priority, suspect_ref, operation, action, contact, review_overdue, " +
        "plate_image_url, overview_image_url, in_force, alerted, not_alerted_reason, recorded_at_ms, location_ref";

    public const string Parameters =
        "@HitId, @AlertId, @ReadId, @MarkerId, @Vrm, @MarkerVrm, @MatchKind, @ObservedAtMs, @ObservedOffsetMin, @CameraId, @Site, @Lat, @Lon, " +
        "@Direction, @Lane, @Confidence, @CameraForce, @HostForce, @RiskLevel, @Priority, @SuspectRef, @Operation, @Action, @Contact, @ReviewOverdue, " +
        "@PlateImageUrl, @OverviewImageUrl, @InForce, @Alerted, @NotAlertedReason, @RecordedAtMs, @LocationRef";

    /// <summary>
    /// Every inserted column, the HitRow property its value comes from in a batch's JSON, and the SQL Server type it
    /// is read as (OPENJSON WITH). Identifiers the application generates have their exact column types, so the
    /// duplicate check seeks; free text is read as NVARCHAR(MAX), so the INSERT itself refuses an over-long value
    /// (error 2628, isolated to its read) instead of OPENJSON truncating it silently.
    /// </summary>
    public static readonly IReadOnlyList<(string Column, string Property, string SqlServerType)> JsonColumns =
    [
        ("hit_id", "HitId", "VARCHAR(32)"), ("alert_id", "AlertId", "VARCHAR(32)"), ("read_id", "ReadId", "NVARCHAR(MAX)"),
        ("marker_id", "MarkerId", "VARCHAR(32)"), ("vrm", "Vrm", "NVARCHAR(MAX)"), ("marker_vrm", "MarkerVrm", "NVARCHAR(MAX)"),
        ("match_kind", "MatchKind", "NVARCHAR(MAX)"), ("observed_at_ms", "ObservedAtMs", "BIGINT"), ("observed_offset_min", "ObservedOffsetMin", "INT"),
        ("camera_id", "CameraId", "NVARCHAR(MAX)"), ("site", "Site", "NVARCHAR(MAX)"), ("lat", "Lat", "FLOAT"), ("lon", "Lon", "FLOAT"),
        ("direction", "Direction", "NVARCHAR(MAX)"), ("lane", "Lane", "NVARCHAR(MAX)"), ("confidence", "Confidence", "FLOAT"),
        ("camera_force", "CameraForce", "NVARCHAR(MAX)"), ("host_force", "HostForce", "NVARCHAR(MAX)"), ("risk_level", "RiskLevel", "NVARCHAR(MAX)"),
        ("priority", "Priority", "NVARCHAR(MAX)"), ("suspect_ref", "SuspectRef", "NVARCHAR(MAX)"), ("operation", "Operation", "NVARCHAR(MAX)"),
        ("action", "Action", "NVARCHAR(MAX)"), ("contact", "Contact", "NVARCHAR(MAX)"), ("review_overdue", "ReviewOverdue", "BIT"),
        ("plate_image_url", "PlateImageUrl", "NVARCHAR(MAX)"), ("overview_image_url", "OverviewImageUrl", "NVARCHAR(MAX)"),
        ("in_force", "InForce", "BIT"), ("alerted", "Alerted", "BIT"), ("not_alerted_reason", "NotAlertedReason", "NVARCHAR(MAX)"),
        ("recorded_at_ms", "RecordedAtMs", "BIGINT"), ("location_ref", "LocationRef", "NVARCHAR(MAX)"),
    ];

    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string HitId { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string AlertId { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string ReadId { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string MarkerId { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string Vrm { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string MarkerVrm { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string MatchKind { get; set; } = "";
    public long ObservedAtMs { get; set; }
    public long ObservedOffsetMin { get; set; }
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string CameraId { get; set; } = "";
    public string? Site { get; set; }
    public double? Lat { get; set; }
    public double? Lon { get; set; }
    public string? Direction { get; set; }
    public string? Lane { get; set; }
    public double? Confidence { get; set; }
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string CameraForce { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string HostForce { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string RiskLevel { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string Priority { get; set; } = "";
    // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
    public string SuspectRef { get; set; } = "";
    public string? Operation { get; set; }
    public string? Action { get; set; }
    public string? Contact { get; set; }
    public bool ReviewOverdue { get; set; }
    public string? PlateImageUrl { get; set; }
    public string? OverviewImageUrl { get; set; }
    public bool InForce { get; set; }
    public bool Alerted { get; set; }
    public string? NotAlertedReason { get; set; }
    public long RecordedAtMs { get; set; }
    public string? LocationRef { get; set; }
    public string? Outcome { get; set; }
    public long? AlertDeliveredMs { get; set; }

    // Not hits columns: read from hit_clones / hit_confirmations (HitStore.Enrichment), written by HitStore.SaveHitsAsync.
    public bool PossibleClone { get; set; }
    public string? CloneOfHitId { get; set; }
    public long? ConfirmedAtMs { get; set; }
    public long? ConfirmedOffsetMin { get; set; }
    public string? ConfirmingReadId { get; set; }

    public static HitRow From(Hit h) => new()
    {
        HitId = h.HitId,
        AlertId = h.AlertId,
        ReadId = h.ReadId,
        MarkerId = h.MarkerId,
        Vrm = h.Vrm,
        MarkerVrm = h.MarkerVrm,
        MatchKind = h.MatchKind.Label(),
        ObservedAtMs = h.ObservedAt.ToUnixTimeMilliseconds(),
        ObservedOffsetMin = (long)h.ObservedAt.Offset.TotalMinutes,
        CameraId = h.CameraId,
        Site = h.Site,
        Lat = h.Lat,
        Lon = h.Lon,
        Direction = h.Direction,
        Lane = h.Lane,
        Confidence = h.Confidence,
        CameraForce = h.CameraForce.Code,
        HostForce = h.HostForce.Code,
        RiskLevel = h.Risk.Label(),
        Priority = h.Priority.Label(),
        SuspectRef = h.SuspectRef,
        Operation = h.Operation,
        Action = h.Action,
        Contact = h.Contact,
        ReviewOverdue = h.ReviewOverdue,
        PlateImageUrl = h.PlateImageUrl,
        OverviewImageUrl = h.OverviewImageUrl,
        InForce = h.InForce,
        Alerted = h.Alerted,
        NotAlertedReason = h.NotAlertedReason.Label(),
        RecordedAtMs = h.RecordedAt.ToUnixTimeMilliseconds(),
        LocationRef = h.LocationRef,
        PossibleClone = h.PossibleClone,
        CloneOfHitId = h.CloneOfHitId,
    };

    public Hit ToHit() => new()
    {
        HitId = HitId,
        AlertId = AlertId,
        ReadId = ReadId,
        MarkerId = MarkerId,
        Vrm = Vrm,
        MarkerVrm = MarkerVrm,
        MatchKind = HitLabels.ParseMatchKind(MatchKind),
        ObservedAt = DateTimeOffset.FromUnixTimeMilliseconds(ObservedAtMs).ToOffset(TimeSpan.FromMinutes(ObservedOffsetMin)),
        CameraId = CameraId,
        Site = Site,
        Lat = Lat,
        Lon = Lon,
        Direction = Direction,
        Lane = Lane,
        Confidence = Confidence,
        CameraForce = ForceRegistry.Get(CameraForce),
        HostForce = ForceRegistry.Get(HostForce),
        Risk = RiskLevels.Parse(RiskLevel),
        Priority = HitLabels.ParsePriority(Priority),
        SuspectRef = SuspectRef,
        Operation = Operation,
        Action = Action,
        Contact = Contact,
        ReviewOverdue = ReviewOverdue,
        PlateImageUrl = PlateImageUrl,
        OverviewImageUrl = OverviewImageUrl,
        InForce = InForce,
        NotAlertedReason = HitLabels.ParseReason(NotAlertedReason),
        Outcome = Outcome,
        AlertDelivered = AlertDeliveredMs is not null,
        RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(RecordedAtMs),
        LocationRef = LocationRef,
        PossibleClone = PossibleClone,
        CloneOfHitId = CloneOfHitId,
        ConfirmedAt = ConfirmedAtMs is { } confirmed ? DateTimeOffset.FromUnixTimeMilliseconds(confirmed).ToOffset(TimeSpan.FromMinutes(ConfirmedOffsetMin ?? 0)) : null,
        ConfirmingReadId = ConfirmingReadId,
    };
}
