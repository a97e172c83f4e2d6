namespace AnprWatch.Simulation;

/// <summary>
/// The possible-clone rule of DESIGN §8 applied by the simulator to what it generated, written apart from the engine:
/// per marker, the last <see cref="Capacity"/> exact positioned sightings in file order; a new sighting is judged
/// against the nearest kept sighting before (or at) its time and, failing that, the nearest after, within
/// <see cref="Window"/>; a pair at least <see cref="MinDistanceKm"/> apart whose speed (time floored at
/// <see cref="MinSeconds"/>) exceeds <see cref="SpeedKmh"/> is impossible for one vehicle.
/// </summary>
internal sealed class CloneGroundTruth
{
    public const double SpeedKmh = 200;
    public const double MinDistanceKm = 5;
    public const double MinSeconds = 60;
    public static readonly TimeSpan Window = TimeSpan.FromHours(2);
    public const int Capacity = 8;

    private readonly Dictionary<string, List<Kept>> _kept = new(StringComparer.Ordinal);

    private sealed record Kept(string ReadId, bool IsHit, DateTimeOffset At, double Lat, double Lon, bool Cloned);

    /// <summary>The verdict for one sighting, then the sighting is kept. <c>Other</c> is the impossible partner, if any.</summary>
    public (bool PossibleClone, string? CloneOfReadId, bool PartnerCloned) Observe(string markerId, string readId, bool isHit, DateTimeOffset at, double lat, double lon, bool cloned)
    {
        if (!_kept.TryGetValue(markerId, out var kept))
        {
            _kept[markerId] = kept = [];
        }

        var near = kept.Where(k => k.ReadId != readId && Math.Abs((k.At - at).TotalSeconds) <= Window.TotalSeconds).ToList();
        var before = near.Where(k => k.At <= at).OrderByDescending(k => k.At).FirstOrDefault();
        var after = near.Where(k => k.At > at).OrderBy(k => k.At).FirstOrDefault();
        (bool, string?, bool) verdict = (false, null, false);
        foreach (var other in new[] { before, after })
        {
            if (other is not null && Impossible(other, at, lat, lon))
            {
                verdict = (true, other.IsHit ? other.ReadId : null, other.Cloned);
                break;
            }
        }

        if (kept.All(k => k.ReadId != readId))
        {
            kept.Add(new Kept(readId, isHit, at, lat, lon, cloned));
            if (kept.Count > Capacity)
            {
                kept.RemoveAt(0);
            }
        }

        return verdict;
    }

    private static bool Impossible(Kept other, DateTimeOffset at, double lat, double lon)
    {
        var km = GreatCircleKm(other.Lat, other.Lon, lat, lon);
        var hours = Math.Max(Math.Abs((other.At - at).TotalSeconds), MinSeconds) / 3600;
        return km >= MinDistanceKm && km / hours > SpeedKmh;
    }

    /// <summary>Haversine on a sphere of radius 6371.0088 km (the IUGG mean).</summary>
    public static double GreatCircleKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double toRadians = Math.PI / 180;
        var h = Square(Math.Sin((lat2 - lat1) * toRadians / 2)) + Math.Cos(lat1 * toRadians) * Math.Cos(lat2 * toRadians) * Square(Math.Sin((lon2 - lon1) * toRadians / 2));
        return 2 * 6371.0088 * Math.Atan2(Math.Sqrt(h), Math.Sqrt(1 - h));
    }

    private static double Square(double x) => x * x;
}
