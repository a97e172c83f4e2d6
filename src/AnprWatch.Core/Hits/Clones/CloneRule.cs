namespace AnprWatch.Core.Hits.Clones;

/// <summary>Great-circle distance and the speed test between two positioned, timed sightings.</summary>
public static class CloneRule
{
    /// <summary>The mean Earth radius (IUGG), in km.</summary>
    public const double EarthRadiusKm = 6371.0088;

    /// <summary>Haversine distance in km between two WGS84 positions (degrees).</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
                + Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>The speed in km/h the two sightings imply, with the time difference floored at <see cref="CloneOptions.MinInterval"/>.</summary>
    public static double ImpliedSpeedKmh(in Sighting a, in Sighting b, CloneOptions options)
    {
        var ticks = Math.Max(Math.Abs(a.ObservedTicks - b.ObservedTicks), options.MinInterval.Ticks);
        return DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon) / TimeSpan.FromTicks(ticks).TotalHours;
    }

    /// <summary>True when one vehicle cannot have made both sightings: far enough apart, and faster than the configured speed.</summary>
    public static bool Impossible(in Sighting a, in Sighting b, CloneOptions options)
    {
        var distance = DistanceKm(a.Lat, a.Lon, b.Lat, b.Lon);
        if (distance < options.MinDistanceKm)
        {
            return false;
        }

        var ticks = Math.Max(Math.Abs(a.ObservedTicks - b.ObservedTicks), options.MinInterval.Ticks);
        return distance / TimeSpan.FromTicks(ticks).TotalHours > options.SpeedKmh;
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
