using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Locations;

/// <summary>
/// Every force's active locations that can raise a hit's priority, frozen for look-ups by point. The globe is cut
/// into cells of <see cref="CellDegrees"/>; each location is listed in every cell its circle's bounding box touches,
/// so a look-up reads one cell (a dictionary probe and a few distances) and allocates nothing. Only reads that
/// matched a marker consult it.
/// </summary>
public sealed class LocationIndex
{
    /// <summary>0.05° is ~5.6 km north–south: a 5 km circle touches at most a handful of cells.</summary>
    public const double CellDegrees = 0.05;

    private const int LonCells = 7200; // 360 / CellDegrees

    public static LocationIndex Empty { get; } = new([], new Dictionary<long, (int, int)>(), [], 0);

    private readonly Location[] _locations;
    private readonly Dictionary<long, (int Start, int Count)> _cells;
    private readonly int[] _members;

    private LocationIndex(Location[] locations, Dictionary<long, (int, int)> cells, int[] members, long version)
    {
        _locations = locations;
        _cells = cells;
        _members = members;
        Version = version;
    }

    /// <summary>The store's location generation this index was built from (changes with any force's active list).</summary>
    public long Version { get; }

    public int Count => _locations.Length;

    /// <summary>
    /// Builds the index from the active locations of every force. Locations whose risk level never alerts
    /// (<paramref name="raisingRisks"/>, Alerting:RiskLevels) are left out: like a LOW marker, a LOW location is kept
    /// on record but changes nothing.
    /// </summary>
    public static LocationIndex Build(IEnumerable<Location> locations, IReadOnlyCollection<RiskLevel> raisingRisks, long version)
    {
        // Ordered by reference so equally near locations always resolve to the same one, whatever the store's order.
        var kept = locations.Where(l => raisingRisks.Contains(l.Risk)).OrderBy(l => l.Ref, StringComparer.Ordinal).ThenBy(l => l.Force.Code, StringComparer.Ordinal).ToArray();
        var lists = new Dictionary<long, List<int>>();
        for (var i = 0; i < kept.Length; i++)
        {
            foreach (var cell in CellsOf(kept[i]))
            {
                if (!lists.TryGetValue(cell, out var list))
                {
                    lists[cell] = list = [];
                }

                list.Add(i);
            }
        }

        var members = new List<int>();
        var cells = new Dictionary<long, (int, int)>(lists.Count);
        foreach (var (cell, list) in lists)
        {
            cells[cell] = (members.Count, list.Count);
            members.AddRange(list);
        }

        return new LocationIndex(kept, cells, [.. members], version);
    }

    /// <summary>
    /// The nearest location whose circle holds the point (distance ≤ radius) and which covers the UK date, or null.
    /// Ties go to the lower reference (ordinal).
    /// </summary>
    public Location? Nearest(double lat, double lon, DateOnly ukDate)
    {
        if (_locations.Length == 0 || double.IsNaN(lat) || double.IsNaN(lon) || lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            return null;
        }

        if (!_cells.TryGetValue(Key(LatCell(lat), LonCell(lon)), out var range))
        {
            return null;
        }

        Location? best = null;
        var bestDistance = double.MaxValue;
        for (var i = range.Start; i < range.Start + range.Count; i++)
        {
            var candidate = _locations[_members[i]];
            if (!candidate.CoversDate(ukDate))
            {
                continue;
            }

            var distance = GreatCircle.DistanceM(lat, lon, candidate.Lat, candidate.Lon);
            // Members are in reference order, so a strictly smaller distance is needed to replace an earlier one.
            if (distance <= candidate.RadiusM && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static IEnumerable<long> CellsOf(Location location)
    {
        // The circle's bounding box in degrees, with a 1 % margin for the sphere-versus-box approximation.
        var dLat = location.RadiusM * 1.01 / GreatCircle.EarthRadiusM * (180.0 / Math.PI);
        var cosLat = Math.Cos(Math.Min(89.9, Math.Abs(location.Lat) + dLat) * Math.PI / 180.0);
        var dLon = Math.Min(180.0, dLat / cosLat);
        var latFrom = LatCell(Math.Max(-90, location.Lat - dLat));
        var latTo = LatCell(Math.Min(90, location.Lat + dLat));
        var lonFrom = (int)Math.Floor((location.Lon - dLon + 180.0) / CellDegrees);
        var lonTo = (int)Math.Floor((location.Lon + dLon + 180.0) / CellDegrees);
        if (lonTo - lonFrom >= LonCells)
        {
            lonFrom = 0;
            lonTo = LonCells - 1;
        }

        for (var latCell = latFrom; latCell <= latTo; latCell++)
        {
            for (var lonCell = lonFrom; lonCell <= lonTo; lonCell++)
            {
                // Across the antimeridian the box wraps round to the other end of the row.
                yield return Key(latCell, ((lonCell % LonCells) + LonCells) % LonCells);
            }
        }
    }

    private static int LatCell(double lat) => (int)Math.Floor((lat + 90.0) / CellDegrees);

    private static int LonCell(double lon) => Math.Min(LonCells - 1, (int)Math.Floor((lon + 180.0) / CellDegrees));

    private static long Key(int latCell, int lonCell) => ((long)latCell * LonCells) + lonCell;
}

/// <summary>The live location index, swapped by reference like the marker index: the next batch uses the new one.</summary>
public sealed class LocationIndexHolder
{
    private LocationIndex? _index;

    public LocationIndex Current => Volatile.Read(ref _index) ?? LocationIndex.Empty;

    public bool IsLoaded => Volatile.Read(ref _index) is not null;

    public void Swap(LocationIndex next) => Volatile.Write(ref _index, next);
}
