using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Locations;

/// <summary>
/// DESIGN §8 "Locations": replacing a force's location list reports added, removed and changed places keyed by
/// location_ref without case; a change lists old → new per field as the CSV writes it (lat/lon to 6 decimals).
/// </summary>
public class LocationListDiffTests
{
    private static Location Place(string reference, string name = "Car park", double lat = 51.4545, double lon = -2.5879, int radius = 200, RiskLevel risk = RiskLevel.High, DateOnly? expires = null, string? notes = null)
        => new(reference, name, lat, lon, radius, risk, Avon, new DateOnly(2027, 1, 1), expires, notes);

    [Test]
    public void A_replacement_reports_the_added_removed_changed_and_unchanged_places()
    {
        var same = Place("LOC-1");
        var moved = Place("LOC-2", name: "Bus station", radius: 200);
        var gone = Place("LOC-3");
        var fresh = Place("LOC-5");
        var diff = LocationListDiff.Compute([same, moved, gone], [same, moved with { Name = "Bus station (east)", RadiusM = 350 }, fresh]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added, Is.EqualTo(new[] { fresh }));
            Assert.That(diff.Removed, Is.EqualTo(new[] { gone }));
            Assert.That(diff.Unchanged, Is.EqualTo(1));
            Assert.That(diff.UnchangedLocations, Is.EqualTo(new[] { same }));
            Assert.That(diff.Changed.Single().Before, Is.SameAs(moved));
            Assert.That(diff.Changed.Single().Changes, Is.EqualTo(new[]
            {
                new FieldChange("name", "Bus station", "Bus station (east)"),
                new FieldChange("radius_m", "200", "350"),
            }));
        });
    }

    [Test]
    public void Every_field_of_a_place_is_reported_old_to_new_as_the_csv_writes_it()
    {
        var before = new Location("LOC-1", "Park", 51.4545, -2.5879, 100, RiskLevel.High, Avon, new DateOnly(2027, 1, 1), null, "gate A");
        var after = new Location("loc-1", "Park north", 51.45451, -2.5, 150, RiskLevel.Medium, Avon, new DateOnly(2027, 2, 1), new DateOnly(2027, 6, 30), null);
        var diff = LocationListDiff.Compute([before], [after]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added, Is.Empty, "a re-cased reference is the same place");
            Assert.That(diff.Removed, Is.Empty);
            Assert.That(diff.Changed.Single().Changes, Is.EqualTo(new[]
            {
                new FieldChange("location_ref", "LOC-1", "loc-1"),
                new FieldChange("name", "Park", "Park north"),
                new FieldChange("lat", "51.4545", "51.45451"),
                new FieldChange("lon", "-2.5879", "-2.5"),
                new FieldChange("radius_m", "100", "150"),
                new FieldChange("risk_level", "HIGH", "MEDIUM"),
                new FieldChange("review_due", "2027-01-01", "2027-02-01"),
                new FieldChange("expires", null, "2027-06-30"),
                new FieldChange("notes", "gate A", null),
            }));
        });
    }

    [Test]
    public void A_move_below_the_sixth_decimal_place_is_not_a_change()
    {
        // "0.######": 51.4545001 and 51.4545 both print as 51.4545.
        var diff = LocationListDiff.Compute([Place("LOC-1", lat: 51.4545)], [Place("LOC-1", lat: 51.4545001)]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Changed, Is.Empty);
            Assert.That(diff.Unchanged, Is.EqualTo(1));
        });
    }

    [Test]
    public void Removed_places_are_listed_by_reference_and_added_ones_in_file_order()
    {
        var diff = LocationListDiff.Compute([Place("LOC-Z"), Place("LOC-B"), Place("LOC-M")], [Place("NEW-2"), Place("NEW-1")]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Removed.Select(l => l.Ref), Is.EqualTo(new[] { "LOC-B", "LOC-M", "LOC-Z" }));
            Assert.That(diff.Added.Select(l => l.Ref), Is.EqualTo(new[] { "NEW-2", "NEW-1" }));
            Assert.That(diff.Unchanged, Is.EqualTo(0));
            Assert.That(diff.UnchangedLocations, Is.Empty);
        });
    }

    [Test]
    public void The_removal_guard_counts_the_unchanged_places_that_raise_priority()
    {
        var high = Place("LOC-1", risk: RiskLevel.High);
        var medium = Place("LOC-2", risk: RiskLevel.Medium);
        var high2 = Place("LOC-3", risk: RiskLevel.High);
        var changed = Place("LOC-4", risk: RiskLevel.High);
        var diff = LocationListDiff.Compute([high, medium, high2, changed], [high, medium, high2, changed with { Name = "x" }]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Unchanged, Is.EqualTo(3));
            // Unchanged: LOC-1 (HIGH), LOC-2 (MEDIUM), LOC-3 (HIGH): two HIGH; LOC-4 is changed, not counted.
            Assert.That(diff.UnchangedRaising(l => l.Risk == RiskLevel.High), Is.EqualTo(2));
            Assert.That(diff.UnchangedRaising(_ => false), Is.EqualTo(0));
        });
    }

    [Test]
    public void Replacing_an_empty_list_adds_every_place()
    {
        var diff = LocationListDiff.Compute([], [Place("LOC-1"), Place("LOC-2")]);
        Assert.Multiple(() =>
        {
            Assert.That(diff.Added.Select(l => l.Ref), Is.EqualTo(new[] { "LOC-1", "LOC-2" }));
            Assert.That(diff.Removed, Is.Empty);
            Assert.That(diff.Changed, Is.Empty);
            Assert.That(diff.Unchanged, Is.EqualTo(0));
        });
    }
}
