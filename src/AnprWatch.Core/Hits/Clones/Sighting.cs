namespace AnprWatch.Core.Hits.Clones;

/// <summary>
/// One exact read of a marked plate with a position: what the clone check compares. <see cref="HitId"/> is null when
/// the read did not become a stored hit (an in-force read, say).
/// </summary>
public readonly record struct Sighting(string ReadId, string? HitId, long ObservedTicks, double Lat, double Lon);

/// <summary>A marker's latest stored hit with a position, as another instance may have stored it.</summary>
public readonly record struct StoredSighting(string MarkerId, Sighting Sighting);

/// <summary>What the clone check says about a hit.</summary>
public readonly record struct CloneVerdict(bool PossibleClone, string? CloneOfHitId)
{
    public static CloneVerdict None => default;
}
