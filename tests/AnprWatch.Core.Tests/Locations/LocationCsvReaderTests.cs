using AnprWatch.Core.Forces;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Tests.Locations;

/// <summary>The location CSV of DESIGN §8: every error by line, with the message a bureau user reads (literal).</summary>
public class LocationCsvReaderTests
{
    private const string Header = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires,notes";
    private static readonly Force Dorset = ForceRegistry.Get("dorset");
    private static readonly DateOnly Today = new(2026, 6, 1);

    private static LocationCsvResult Read(params string[] lines) => LocationCsvReader.Read(new StringReader(string.Join("\n", lines) + "\n"), Dorset, Today);

    [Test]
    public void A_valid_file_with_a_bom_quoted_names_and_free_column_order_loads()
    {
        var result = LocationCsvReader.Read(new MemoryStream("\uFEFFname,location_ref,lat,lon,radius_m,risk_level,force,review_due\n\"Park, north gate\",LOC-1,50.7317,-2.3252,150,high,Dorset,2027-01-31\n"u8.ToArray()), Dorset, Today);
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Locations.Single(), Is.EqualTo(new Location("LOC-1", "Park, north gate", 50.7317, -2.3252, 150, RiskLevel.High, Dorset, new DateOnly(2027, 1, 31), null, null)));
    }

    [Test]
    public void Every_bad_line_is_reported_with_its_own_message()
    {
        var result = Read(
            Header,
            "LOC-1,Car park,50.7,-2.3,150,HIGH,dorset,2027-01-31,,",
            "LOC-2,Car park,91,-2.3,150,HIGH,dorset,2027-01-31,,",
            "LOC-3,Car park,50.7,-180.5,150,HIGH,dorset,2027-01-31,,",
            "LOC-4,Car park,50.7,-2.3,0,HIGH,dorset,2027-01-31,,",
            "LOC-5,Car park,50.7,-2.3,5001,HIGH,dorset,2027-01-31,,",
            "LOC-6,Car park,north,-2.3,150,HIGH,dorset,2027-01-31,,",
            "LOC-7,Car park,50.7,-2.3,150,SEVERE,dorset,2027-01-31,,",
            "LOC-8,Car park,50.7,-2.3,150,HIGH,wiltshire,2027-01-31,,",
            "LOC-9,Car park,50.7,-2.3,150,HIGH,atlantis,2027-01-31,,",
            "loc-1,Car park,50.7,-2.3,150,HIGH,dorset,2027-01-31,,",
            "LOC-11,,50.7,-2.3,150,HIGH,dorset,31/01/2027,,",
            "LOC-12,=HYPERLINK(1),50.7,-2.3,12.5,HIGH,dorset,2027-01-31,,",
            "LOC-13,Car park,50.7,-2.3,150,HIGH,dorset,2027-01-31");
        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "line 3: lat 91 is outside -90..90",
            "line 4: lon -180.5 is outside -180..180",
            "line 5: radius_m '0' is not a whole number of metres from 1 to 5000",
            "line 6: radius_m '5001' is not a whole number of metres from 1 to 5000",
            "line 7: lat 'north' is not a decimal number (WGS84 degrees, e.g. 51.4545)",
            "line 8: risk_level 'SEVERE' is unknown (expected HIGH, MEDIUM or LOW)",
            "line 9: force 'wiltshire' is not the force being loaded ('dorset')",
            "line 10: force 'atlantis' is not a known force code",
            "line 11: duplicate of line 2 (same location_ref)",
            "line 12: missing required value 'name'",
            "line 12: review_due '31/01/2027' is not a date (expected YYYY-MM-DD)",
            "line 13: name begins with '=' and looks like a spreadsheet formula",
            "line 13: radius_m '12.5' is not a whole number of metres from 1 to 5000",
            "line 14: has 8 fields, the header has 10",
        }));
    }

    [Test]
    public void A_header_is_required_and_checked()
    {
        Assert.That(Read("location_ref,name,lat,lon,radius,risk_level,force,review_due").Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "line 1: unknown column 'radius' in the header (allowed: location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires,notes)",
            "line 1: missing required column 'radius_m' in the header",
        }));
        Assert.That(Read(Header).Errors.Select(e => e.ToString()), Is.EqualTo(new[] { "line 1: the file has a header but no location rows; an empty list is never loaded by accident" }));
    }

    [Test]
    public void Past_review_and_expiry_dates_and_low_risk_are_warnings_not_errors()
    {
        var result = Read(Header, "LOC-1,Car park,50.7,-2.3,150,LOW,dorset,2026-05-01,2026-05-31,");
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Warnings.Select(w => w.ToString()), Is.EqualTo(new[]
        {
            "line 2: review_due 2026-05-01 is already past: the location loads and still raises priority; review it",
            "line 2: expires 2026-05-31 is already past: the location only raises reads observed on or before that date",
            "line 2: risk_level LOW: loaded, but never raises a hit's priority under the default policy",
        }));
    }

    [Test]
    public void The_diff_names_old_and_new_for_every_changed_field()
    {
        var before = new Location("LOC-1", "Car park", 50.7, -2.3, 150, RiskLevel.High, Dorset, new DateOnly(2027, 1, 31), null, null);
        var gone = before with { Ref = "LOC-2" };
        var after = before with { RadiusM = 300, Risk = RiskLevel.Medium };
        var added = before with { Ref = "LOC-3" };
        var diff = LocationListDiff.Compute([before, gone], [after, added]);
        Assert.That(diff.Added.Select(l => l.Ref), Is.EqualTo(new[] { "LOC-3" }));
        Assert.That(diff.Removed.Select(l => l.Ref), Is.EqualTo(new[] { "LOC-2" }));
        Assert.That(diff.Changed.Single().Changes.Select(c => c.ToString()), Is.EqualTo(new[] { "radius_m 150 → 300", "risk_level HIGH → MEDIUM" }));

        var recased = LocationListDiff.Compute([before], [before with { Ref = "loc-1" }]);
        Assert.That((recased.Added.Count, recased.Removed.Count), Is.EqualTo((0, 0)));
        Assert.That(recased.Changed.Single().Changes.Select(c => c.ToString()), Is.EqualTo(new[] { "location_ref LOC-1 → loc-1" }));
    }
}
