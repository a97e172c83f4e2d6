namespace AnprWatch.Core.Locations;

/// <summary>Haversine distance on a sphere of the mean Earth radius: within 0.5 % of the ellipsoid, far inside any radius a bureau types.</summary>
public static class GreatCircle
{
    /// <summary>IUGG mean Earth radius, metres.</summary>
    public const double EarthRadiusM = 6_371_008.8;

    private const double Radians = Math.PI / 180.0;

    public static double DistanceM(double lat1, double lon1, double lat2, double lon2)
    {
        var dLat = (lat2 - lat1) * Radians;
        var dLon = (lon2 - lon1) * Radians;
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var a = (sinLat * sinLat) + (Math.Cos(lat1 * Radians) * Math.Cos(lat2 * Radians) * sinLon * sinLon);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1.0, Math.Sqrt(a)));
    }
}
