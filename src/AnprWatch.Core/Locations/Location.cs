using System.Globalization;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Locations;

/// <summary>
/// A flagged CSE location (national CSE flag guidance flags places as well as people): a circle of
/// <see cref="RadiusM"/> metres around a WGS84 point, owned by the force that flagged it (DESIGN §8 "Locations").
/// </summary>
public sealed record Location(
    string Ref,
    string Name,
    double Lat,
    double Lon,
    int RadiusM,
    RiskLevel Risk,
    Force Force,
    DateOnly ReviewDue,
    DateOnly? Expires,
    string? Notes)
{
    public const int MinRadiusM = 1;
    public const int MaxRadiusM = 5_000;

    /// <summary>Whether a read observed on this UK local date is still covered (expiry is inclusive, as for markers).</summary>
    public bool CoversDate(DateOnly ukDate) => Expires is not { } expires || ukDate <= expires;

    /// <summary>Each changed field with its old and new value, as the CSV writes them.</summary>
    public IReadOnlyList<FieldChange> FieldChanges(Location other)
    {
        static string? Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        static string Number(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        var all = new (string Field, string? Before, string? After)[]
        {
            ("location_ref", Ref, other.Ref), // references match without case: a re-cased one is a change, not a new place
            ("name", Name, other.Name),
            ("lat", Number(Lat), Number(other.Lat)),
            ("lon", Number(Lon), Number(other.Lon)),
            ("radius_m", RadiusM.ToString(CultureInfo.InvariantCulture), other.RadiusM.ToString(CultureInfo.InvariantCulture)),
            ("risk_level", Risk.Label(), other.Risk.Label()),
            ("review_due", Date(ReviewDue), Date(other.ReviewDue)),
            ("expires", Date(Expires), Date(other.Expires)),
            ("notes", Notes, other.Notes),
        };
        return all.Where(c => !string.Equals(c.Before, c.After, StringComparison.Ordinal)).Select(c => new FieldChange(c.Field, c.Before, c.After)).ToList();
    }
}
