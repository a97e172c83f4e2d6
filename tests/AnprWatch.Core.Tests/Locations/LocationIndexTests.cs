using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Tests.Locations;

/// <summary>
/// The radius rule of DESIGN §8 on points placed by hand. Along a meridian the haversine distance is exactly
/// R·Δφ with R = 6,371,008.8 m, i.e. 111,195.080 m a degree, so 0.00899° north is 999.644 m and 0.00900° is
/// 1,000.756 m; the east–west and antimeridian figures were computed separately (a second haversine, in Python).
/// </summary>
public class LocationIndexTests
{
    private static readonly Force Dorset = ForceRegistry.Get("dorset");
    private static readonly DateOnly Day = new(2026, 6, 1);
    private static readonly RiskLevel[] Raising = [RiskLevel.High, RiskLevel.Medium];

    private static Location Place(string reference, double lat, double lon, int radius, RiskLevel risk = RiskLevel.High, DateOnly? expires = null)
        => new(reference, "place " + reference, lat, lon, radius, risk, Dorset, new DateOnly(2027, 1, 1), expires, null);

    [TestCase(51.00899, -2.0, 999.644, true, TestName = "0.00899 deg north, 999.644 m: inside a 1,000 m radius")]
    [TestCase(51.00900, -2.0, 1000.756, false, TestName = "0.00900 deg north, 1,000.756 m: outside")]
    [TestCase(51.0, -2.0142, 993.678, true, TestName = "0.0142 deg west at 51 N, 993.678 m: inside")]
    [TestCase(51.0, -2.0143, 1000.676, false, TestName = "0.0143 deg west at 51 N, 1,000.676 m: outside")]
    [TestCase(51.0, -1.98573, 998.577, true, TestName = "0.01427 deg east at 51 N, 998.577 m: inside")]
    [TestCase(50.99955, -2.0, 50.038, true, TestName = "50 m south: inside")]
    [TestCase(51.0, -2.0, 0.0, true, TestName = "the centre itself: inside")]
    public void A_point_is_inside_exactly_when_its_haversine_distance_is_within_the_radius(double lat, double lon, double metres, bool inside)
    {
        Assert.That(GreatCircle.DistanceM(51.0, -2.0, lat, lon), Is.EqualTo(metres).Within(0.01));
        var index = LocationIndex.Build([Place("L1", 51.0, -2.0, 1000)], Raising, 1);
        Assert.That(index.Nearest(lat, lon, Day)?.Ref, Is.EqualTo(inside ? "L1" : null));
    }

    [Test]
    public void The_smallest_radius_holds_a_point_a_millimetre_inside_and_misses_one_a_millimetre_outside()
    {
        // 1/111,195.080 deg north is 1.000 m; 1e-8 deg either side moves it 1.1 mm.
        var index = LocationIndex.Build([Place("L1", 51.0, -2.0, 1)], Raising, 1);
        Assert.That(index.Nearest(51.0 + (1 / 111_195.080) - 1e-8, -2.0, Day)?.Ref, Is.EqualTo("L1"));
        Assert.That(index.Nearest(51.0 + (1 / 111_195.080) + 1e-8, -2.0, Day), Is.Null);
    }

    [Test]
    public void The_nearest_of_overlapping_locations_is_named_and_ties_go_to_the_lower_reference()
    {
        var index = LocationIndex.Build(
            [Place("FAR", 51.0018, -2.0, 5000), Place("NEAR", 50.9991, -2.0, 5000), Place("B-TIE", 51.1, -2.0, 5000), Place("A-TIE", 51.1, -2.0, 5000)], Raising, 1);
        Assert.That(index.Nearest(51.0, -2.0, Day)?.Ref, Is.EqualTo("NEAR"), "100 m beats 200 m");
        Assert.That(index.Nearest(51.1, -2.0, Day)?.Ref, Is.EqualTo("A-TIE"));
    }

    [Test]
    public void Expired_and_low_risk_locations_never_raise_and_expiry_is_inclusive()
    {
        var index = LocationIndex.Build([Place("EXP", 51.0, -2.0, 500, expires: new DateOnly(2026, 8, 31)), Place("LOW", 52.0, -2.0, 500, RiskLevel.Low)], Raising, 1);
        Assert.That(index.Nearest(51.0, -2.0, new DateOnly(2026, 8, 31))?.Ref, Is.EqualTo("EXP"));
        Assert.That(index.Nearest(51.0, -2.0, new DateOnly(2026, 9, 1)), Is.Null);
        Assert.That(index.Nearest(52.0, -2.0, Day), Is.Null);
        Assert.That(index.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_5_km_circle_is_found_from_every_grid_cell_it_reaches_even_far_north_and_across_the_antimeridian()
    {
        // At 70 N a 0.05 deg cell is 1.9 km wide: a 5 km circle spans several cells east and west.
        var index = LocationIndex.Build([Place("NORTH", 70.0, 25.0, 5000), Place("DATELINE", 0.0, 179.999, 5000)], Raising, 1);
        Assert.That(index.Nearest(70.0, 25.13, Day)?.Ref, Is.EqualTo("NORTH"), "0.13 deg east at 70 N is 4.95 km");
        Assert.That(index.Nearest(70.0, 25.14, Day), Is.Null, "0.14 deg east at 70 N is 5.33 km");
        Assert.That(index.Nearest(0.0, -179.999, Day)?.Ref, Is.EqualTo("DATELINE"), "222 m away, across the antimeridian");
    }

    [Test]
    public void A_look_up_allocates_nothing()
    {
        var places = Enumerable.Range(0, 500).Select(i => Place($"L{i}", 50 + (i * 0.01), -2.0 - (i * 0.01), 1000 + i)).ToList();
        var index = LocationIndex.Build(places, Raising, 1);
        _ = index.Nearest(51.0, -3.0, Day);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 10_000; i++)
        {
            found += index.Nearest(50 + (i % 500 * 0.01), -2.0 - (i % 500 * 0.01), Day) is null ? 0 : 1;
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(found, Is.EqualTo(10_000));
    }

    [TestCase(Priority.Routine, Priority.High)]
    [TestCase(Priority.High, Priority.Urgent)]
    [TestCase(Priority.Urgent, Priority.Urgent)]
    public void A_location_raises_a_hit_one_step(Priority before, Priority after)
    {
        var raised = new HitAssessment(false, before, false, false).RaisedBy("L1");
        Assert.That((raised.Priority, raised.LocationRef), Is.EqualTo((after, "L1")));
    }
}
