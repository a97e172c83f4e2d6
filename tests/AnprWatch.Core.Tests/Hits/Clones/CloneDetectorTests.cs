using AnprWatch.Core.Hits.Clones;

namespace AnprWatch.Core.Tests.Hits.Clones;

/// <summary>Which sighting a new one is judged against: nearest before and after in time, within the window and the ring.</summary>
public class CloneDetectorTests
{
    private static readonly DateTimeOffset Ten = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    private static Sighting Bristol(string id, int minutes, string? hit = null) => new(id, hit, Ten.AddMinutes(minutes).UtcTicks, 51.4545, -2.5879);

    private static Sighting London(string id, int minutes, string? hit = null) => new(id, hit, Ten.AddMinutes(minutes).UtcTicks, 51.5074, -0.1278);

    [Test]
    public void The_later_sighting_is_flagged_against_the_earlier_hit()
    {
        var detector = new CloneDetector(CloneOptions.Default);
        Assert.That(detector.Observe("m", Bristol("r1", 0, "h1")), Is.EqualTo(CloneVerdict.None));
        Assert.That(detector.Observe("m", London("r2", 3, "h2")), Is.EqualTo(new CloneVerdict(true, "h1")));
    }

    [Test]
    public void A_sighting_that_was_not_a_hit_flags_with_no_hit_id()
        => Assert.That(Observe(new CloneDetector(CloneOptions.Default), Bristol("r1", 0, hit: null), London("r2", 3, "h2")), Is.EqualTo(new CloneVerdict(true, null)));

    [Test]
    public void Markers_are_independent()
    {
        var detector = new CloneDetector(CloneOptions.Default);
        detector.Observe("m1", Bristol("r1", 0, "h1"));
        Assert.That(detector.Observe("m2", London("r2", 3, "h2")), Is.EqualTo(CloneVerdict.None));
        Assert.That(detector.MarkersHeld, Is.EqualTo(2));
    }

    [Test]
    public void A_late_read_is_judged_against_its_neighbour_before_in_time_not_the_latest_processed()
    {
        // Bristol 10:00 and 10:30, then a London read of 10:15 arrives late: 15 min from Bristol is impossible.
        var detector = new CloneDetector(CloneOptions.Default);
        detector.Observe("m", Bristol("r1", 0, "h1"));
        detector.Observe("m", Bristol("r3", 30, "h3"));
        Assert.That(detector.Observe("m", London("r2", 15, "h2")), Is.EqualTo(new CloneVerdict(true, "h1")));
    }

    [Test]
    public void A_late_read_plausible_after_the_one_before_is_judged_against_the_one_after()
    {
        // London 10:00, Bristol 10:30; a London read of 10:25 arrives late: fine after 10:00, impossible before 10:30.
        var detector = new CloneDetector(CloneOptions.Default);
        detector.Observe("m", London("r1", 0, "h1"));
        detector.Observe("m", Bristol("r3", 30, "h3"));
        Assert.That(detector.Observe("m", London("r2", 25, "h2")), Is.EqualTo(new CloneVerdict(true, "h3")));
    }

    [Test]
    public void Only_the_nearest_neighbour_counts_so_an_honest_journey_is_not_flagged()
    {
        // Bristol 10:00, then Bristol 11:00, then London 12:00: 170 km in the last hour is fine, although London is
        // only 2 h after the first Bristol read (still 85 km/h), and the first read is not the neighbour.
        var detector = new CloneDetector(CloneOptions.Default);
        detector.Observe("m", Bristol("r1", 0, "h1"));
        detector.Observe("m", Bristol("r2", 60, "h2"));
        Assert.That(detector.Observe("m", London("r3", 120, "h3")), Is.EqualTo(CloneVerdict.None));
    }

    [Test]
    public void Sightings_further_apart_than_the_window_are_never_compared()
    {
        var detector = new CloneDetector(CloneOptions.Default with { Window = TimeSpan.FromMinutes(2), SpeedKmh = 1 });
        detector.Observe("m", Bristol("r1", 0, "h1"));
        Assert.That(detector.Observe("m", London("r2", 3, "h2")), Is.EqualTo(CloneVerdict.None));
    }

    [Test]
    public void The_ring_keeps_only_the_last_sightings_processed()
    {
        // Bristol 10:00 and 10:20, then London 10:02 arrives late. With room for both Bristol reads the neighbour
        // before (10:00) is the partner; with room for one, only 10:20 is held and becomes the partner after.
        var roomy = new CloneDetector(CloneOptions.Default);
        Assert.That(Observe(roomy, Bristol("r1", 0, "h1"), Bristol("r2", 20, "h2"), London("r3", 2, "h3")), Is.EqualTo(new CloneVerdict(true, "h1")));
        var tight = new CloneDetector(CloneOptions.Default with { SightingsPerMarker = 1 });
        Assert.That(Observe(tight, Bristol("r1", 0, "h1"), Bristol("r2", 20, "h2"), London("r3", 2, "h3")), Is.EqualTo(new CloneVerdict(true, "h2")));
    }

    [Test]
    public void A_seeded_sighting_from_the_store_counts_once_and_a_read_is_never_its_own_partner()
    {
        var detector = new CloneDetector(CloneOptions.Default);
        detector.Seed("m", Bristol("r1", 0, "h1"));
        detector.Seed("m", Bristol("r1", 0, "h1"));
        Assert.That(detector.Observe("m", Bristol("r1", 0, "h1")), Is.EqualTo(CloneVerdict.None), "re-processing the stored read");
        Assert.That(detector.Observe("m", London("r2", 3, "h2")), Is.EqualTo(new CloneVerdict(true, "h1")));
    }

    private static CloneVerdict Observe(CloneDetector detector, params Sighting[] sightings)
    {
        var verdict = CloneVerdict.None;
        foreach (var sighting in sightings)
        {
            verdict = detector.Observe("m", sighting);
        }

        return verdict;
    }
}
