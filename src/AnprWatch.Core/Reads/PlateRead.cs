using AnprWatch.Core.Forces;

namespace AnprWatch.Core.Reads;

/// <summary>A fully materialised plate read (DESIGN §4.1). Only built for reads that matched a marker.</summary>
public sealed record PlateRead
{
    public required string ReadId { get; init; }
    public required string Vrm { get; init; }
    public required string RawVrm { get; init; }
    public required string CameraId { get; init; }
    public required Force CameraForce { get; init; }
    public required DateTimeOffset ObservedAt { get; init; }
    public double? Lat { get; init; }
    public double? Lon { get; init; }
    public string? Site { get; init; }
    public string? Direction { get; init; }
    public string? Lane { get; init; }
    public double? Confidence { get; init; }
    public string? PlateImageUrl { get; init; }
    public string? OverviewImageUrl { get; init; }
}

/// <summary>What the hot path needs from a read: its normalised VRM (in a caller buffer), force and time.</summary>
public readonly record struct ReadHead(int VrmLength, Force CameraForce, DateTimeOffset ObservedAt);
