using AnprWatch.Core.Hits.Clones;

namespace AnprWatch.Core.Tests.Hits.Clones;

/// <summary>The possible-clone speed rule against distances and verdicts worked out by hand (DESIGN §8).</summary>
public class CloneRuleTests
{
    // City centres (WGS84). Expected distances are the published great-circle figures, rounded.
    private const double BristolLat = 51.4545, BristolLon = -2.5879;
    private const double LondonLat = 51.5074, LondonLon = -0.1278;
    private const double CardiffLat = 51.4816, CardiffLon = -3.1791;
    private const double ParisLat = 48.8566, ParisLon = 2.3522;
    private const double EdinburghLat = 55.9533, EdinburghLon = -3.1883;

    [TestCase(BristolLat, BristolLon, LondonLat, LondonLon, 170.5, 1.5, TestName = "Bristol to London is about 170 km")]
    [TestCase(BristolLat, BristolLon, CardiffLat, CardiffLon, 41.0, 0.5, TestName = "Bristol to Cardiff is about 41 km")]
    [TestCase(LondonLat, LondonLon, ParisLat, ParisLon, 343.5, 1.5, TestName = "London to Paris is about 343.5 km")]
    [TestCase(LondonLat, LondonLon, EdinburghLat, EdinburghLon, 534.0, 2.0, TestName = "London to Edinburgh is about 534 km")]
    [TestCase(BristolLat, BristolLon, BristolLat + 0.054, BristolLon, 6.0, 0.05, TestName = "0.054 degrees of latitude is 6.0 km")]
    [TestCase(BristolLat, BristolLon, BristolLat, BristolLon, 0.0, 1e-9, TestName = "a point to itself is 0 km")]
    public void Haversine_distance_matches_the_known_figure(double lat1, double lon1, double lat2, double lon2, double expectedKm, double toleranceKm)
    {
        Assert.That(CloneRule.DistanceKm(lat1, lon1, lat2, lon2), Is.EqualTo(expectedKm).Within(toleranceKm));
        Assert.That(CloneRule.DistanceKm(lat2, lon2, lat1, lon1), Is.EqualTo(expectedKm).Within(toleranceKm), "symmetric");
    }

    // seconds apart, distance by hand, implied speed by hand (time floored at 60 s), verdict at 200 km/h / 5 km.
    [TestCase(BristolLat, BristolLon, LondonLat, LondonLon, 180, true, TestName = "Bristol 23:36:30 then London 23:39:30: 170 km in 3 min (3,410 km/h)")]
    [TestCase(BristolLat, BristolLon, LondonLat, LondonLon, 3600, false, TestName = "Bristol then London an hour later: 170 km/h")]
    [TestCase(BristolLat, BristolLon, LondonLat, LondonLon, 3000, true, TestName = "Bristol then London 50 min later: 205 km/h")]
    [TestCase(BristolLat, BristolLon, LondonLat, LondonLon, 3120, false, TestName = "Bristol then London 52 min later: 197 km/h")]
    [TestCase(BristolLat, BristolLon, CardiffLat, CardiffLon, 600, true, TestName = "Bristol then Cardiff 10 min later: 246 km/h")]
    [TestCase(BristolLat, BristolLon, CardiffLat, CardiffLon, 780, false, TestName = "Bristol then Cardiff 13 min later: 189 km/h")]
    [TestCase(BristolLat, BristolLon, BristolLat + 0.0003, BristolLon, 1, false, TestName = "two cameras at one site 33 m apart, 1 s apart: under the 5 km floor")]
    [TestCase(BristolLat, BristolLon, BristolLat + 0.0405, BristolLon, 1, false, TestName = "4.5 km apart 1 s apart: under the 5 km floor")]
    [TestCase(BristolLat, BristolLon, BristolLat + 0.054, BristolLon, 1, true, TestName = "6 km apart 1 s apart: time floored at 60 s, 360 km/h")]
    [TestCase(BristolLat, BristolLon, BristolLat + 0.054, BristolLon, 120, false, TestName = "6 km apart 2 min apart: 180 km/h")]
    [TestCase(LondonLat, LondonLon, BristolLat, BristolLon, -180, true, TestName = "order does not matter: London 3 min after Bristol, read first")]
    public void The_speed_rule(double lat1, double lon1, double lat2, double lon2, int secondsApart, bool impossible)
    {
        var t = new DateTimeOffset(2026, 6, 1, 22, 36, 30, TimeSpan.Zero).UtcTicks;
        var a = new Sighting("a", "h-a", t, lat1, lon1);
        var b = new Sighting("b", "h-b", t + TimeSpan.FromSeconds(secondsApart).Ticks, lat2, lon2);
        Assert.That(CloneRule.Impossible(a, b, CloneOptions.Default), Is.EqualTo(impossible));
        Assert.That(CloneRule.Impossible(b, a, CloneOptions.Default), Is.EqualTo(impossible), "symmetric");
    }

    [Test]
    public void The_speed_limit_is_configurable()
    {
        var t = DateTimeOffset.Parse("2026-06-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).UtcTicks;
        var bristol = new Sighting("a", null, t, BristolLat, BristolLon);
        var london = new Sighting("b", null, t + TimeSpan.FromHours(1).Ticks, LondonLat, LondonLon); // 170 km/h
        Assert.That(CloneRule.Impossible(bristol, london, CloneOptions.Default with { SpeedKmh = 160 }), Is.True);
        Assert.That(CloneRule.Impossible(bristol, london, CloneOptions.Default with { SpeedKmh = 180 }), Is.False);
    }
}
