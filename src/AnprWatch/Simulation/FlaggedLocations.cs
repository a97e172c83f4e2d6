using System.Globalization;
using System.Text;

namespace AnprWatch.Simulation;

/// <summary>A flagged CSE location as the simulator generates it (its own type: the oracle shares nothing with the engine).</summary>
public sealed record SimLocation(string Ref, string Name, string Force, double Lat, double Lon, int RadiusM, string Risk, DateOnly ReviewDue, DateOnly? Expires, string? Notes);

/// <summary>
/// The simulator's flagged locations (DESIGN §8) and its oracle for them. Locations are placed around the cameras
/// that saw the most expected hits, each exercising one rule: a circle centred on a camera, a camera just inside and
/// one just outside a circle's edge (by 2–3 m of haversine distance), an expired location, a LOW one (never raises),
/// and two overlapping circles (the nearest centre wins). Generated after the reads from their own random stream, so
/// the reads, markers and hits of a seed are those of the scenario without locations.
/// </summary>
public static class FlaggedLocations
{
    /// <summary>The DESIGN §8 contract: haversine on a sphere of the IUGG mean radius.</summary>
    private const double EarthRadiusM = 6_371_008.8;

    public static List<SimLocation> Plan(IReadOnlyList<Camera> camerasByHits, IReadOnlyList<Camera> network, int seed)
    {
        var random = new Random(unchecked(seed * 31 + 17));
        var chosen = camerasByHits.Concat(network).DistinctBy(c => c.Id).Take(6).ToList();
        var locations = new List<SimLocation>();
        var counter = new Dictionary<string, int>(StringComparer.Ordinal);
        string NextRef(Camera camera)
        {
            counter[camera.Force] = counter.GetValueOrDefault(camera.Force) + 1;
            return $"LOC-{camera.Force[..3].ToUpperInvariant()}-{counter[camera.Force]:D2}";
        }

        var review = new DateOnly(2027, 1, 31);

        // 0: centred on the camera.
        var c = chosen[0];
        locations.Add(new SimLocation(NextRef(c), "Children's home, \"Oak House\"", c.Force, Round(c.Lat), Round(c.Lon), 250, "HIGH", review, null, "Reported missing-from-home episodes"));

        // 1: the camera just inside the edge; 2: just outside.
        foreach (var (camera, inside) in new[] { (chosen[1], true), (chosen[2], false) })
        {
            var bearing = random.NextDouble() * 360;
            var (lat, lon) = Destination(camera.Lat, camera.Lon, bearing, 600 + random.Next(800));
            lat = Round(lat);
            lon = Round(lon);
            var distance = DistanceM(camera.Lat, camera.Lon, lat, lon);
            var radius = inside ? (int)Math.Ceiling(distance) + 2 : (int)Math.Floor(distance) - 2;
            locations.Add(new SimLocation(NextRef(camera), inside ? "Takeaway, rear car park" : "Hotel car park", camera.Force, lat, lon, radius, "MEDIUM", review, null, inside ? "edge probe: camera inside" : "edge probe: camera outside"));
        }

        // 3: expired at the end of August (inclusive): raises reads on or before that UK date only.
        c = chosen[3];
        locations.Add(new SimLocation(NextRef(c), "Park, north gate", c.Force, Round(c.Lat), Round(c.Lon), 150, "HIGH", review, new DateOnly(2026, 8, 31), null));

        // 4: LOW: kept on record, never raises under the default policy.
        c = chosen[4];
        locations.Add(new SimLocation(NextRef(c), "Retail park", c.Force, Round(c.Lat), Round(c.Lon), 400, "LOW", review, null, null));

        // 5: two overlapping circles, the camera 100 m from one centre and 200 m from the other: the nearer one is named.
        c = chosen[5];
        var (nLat, nLon) = Destination(c.Lat, c.Lon, 0, 100);
        var (sLat, sLon) = Destination(c.Lat, c.Lon, 180, 200);
        locations.Add(new SimLocation(NextRef(c), "B&B, far side", c.Force, Round(sLat), Round(sLon), 1000, "HIGH", new DateOnly(2026, 7, 15), null, "review overdue: still raises"));
        locations.Add(new SimLocation(NextRef(c), "Flat above shop", c.Force, Round(nLat), Round(nLon), 1000, "MEDIUM", review, null, null));
        return locations;
    }

    /// <summary>The oracle: by brute force over every location, the nearest covering one that raises, ties to the lower reference.</summary>
    public static SimLocation? Raising(IReadOnlyList<SimLocation> locations, double lat, double lon, DateOnly ukDate)
        => locations
            .Where(l => l.Risk != "LOW" && (l.Expires is not { } e || ukDate <= e))
            .Select(l => (Location: l, Distance: DistanceM(lat, lon, l.Lat, l.Lon)))
            .Where(x => x.Distance <= x.Location.RadiusM)
            .OrderBy(x => x.Distance).ThenBy(x => x.Location.Ref, StringComparer.Ordinal)
            .Select(x => x.Location)
            .FirstOrDefault();

    public static string Raise(string priority) => priority == "routine" ? "high" : "urgent";

    public static List<string> Write(string outDirectory, IReadOnlyList<SimLocation> locations)
    {
        Directory.CreateDirectory(Path.Combine(outDirectory, "locations"));
        var files = new List<string>();
        foreach (var group in locations.GroupBy(l => l.Force))
        {
            var path = Path.Combine(outDirectory, "locations", group.Key + ".csv");
            // Column order differs from the documented one, on purpose: the header names the columns.
            var csv = new StringBuilder("location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires,notes\n");
            foreach (var l in group)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{l.Ref},{Quote(l.Name)},{l.Lat:0.######},{l.Lon:0.######},{l.RadiusM},{l.Risk},{l.Force},{l.ReviewDue:yyyy-MM-dd},{l.Expires:yyyy-MM-dd},{Quote(l.Notes)}\n");
            }

            File.WriteAllText(path, csv.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            files.Add(Path.GetRelativePath(outDirectory, path));
        }

        return files;
    }

    private static string Quote(string? value) => value is null ? "" : value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static double Round(double degrees) => Math.Round(degrees, 6);

    private static double DistanceM(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double d) => d * Math.PI / 180;
        var h = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + (Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2));
        return 2 * EarthRadiusM * Math.Asin(Math.Sqrt(h));
    }

    /// <summary>The point <paramref name="metres"/> from a start on a bearing (degrees from north), on the same sphere.</summary>
    private static (double Lat, double Lon) Destination(double lat, double lon, double bearingDegrees, double metres)
    {
        var phi1 = lat * Math.PI / 180;
        var lambda1 = lon * Math.PI / 180;
        var theta = bearingDegrees * Math.PI / 180;
        var delta = metres / EarthRadiusM;
        var phi2 = Math.Asin((Math.Sin(phi1) * Math.Cos(delta)) + (Math.Cos(phi1) * Math.Sin(delta) * Math.Cos(theta)));
        var lambda2 = lambda1 + Math.Atan2(Math.Sin(theta) * Math.Sin(delta) * Math.Cos(phi1), Math.Cos(delta) - (Math.Sin(phi1) * Math.Sin(phi2)));
        return (phi2 * 180 / Math.PI, lambda2 * 180 / Math.PI);
    }
}
