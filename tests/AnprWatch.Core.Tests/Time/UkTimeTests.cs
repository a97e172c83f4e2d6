using AnprWatch.Core.Time;

namespace AnprWatch.Core.Tests.Time;

/// <summary>
/// Europe/London: GMT (UTC+0) in winter, BST (UTC+1) in summer. In 2026 BST runs from 29 March 01:00 UTC (clocks
/// 01:00 → 02:00) to 25 October 01:00 UTC (clocks 02:00 → 01:00).
/// </summary>
public class UkTimeTests
{
    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Test]
    public void The_zone_is_europe_london()
        => Assert.That(UkTime.Zone.Id, Is.EqualTo("Europe/London"));

    [Test]
    public void Summer_local_time_is_an_hour_ahead_of_utc_and_winter_time_equals_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(UkTime.ToLocal(Utc(2026, 6, 1, 12, 0)), Is.EqualTo(new DateTime(2026, 6, 1, 13, 0, 0)));
            Assert.That(UkTime.ToLocal(Utc(2026, 12, 1, 12, 0)), Is.EqualTo(new DateTime(2026, 12, 1, 12, 0, 0)));
        });
    }

    [TestCase("2026-06-30T22:59:59Z", "2026-06-30", TestName = "22:59:59 UTC in summer is 23:59:59 BST the same day")]
    [TestCase("2026-06-30T23:00:00Z", "2026-07-01", TestName = "23:00 UTC in summer is midnight BST the next day")]
    [TestCase("2026-12-31T23:59:59Z", "2026-12-31", TestName = "23:59:59 UTC in winter is still the same day")]
    [TestCase("2027-01-01T00:00:00Z", "2027-01-01", TestName = "midnight UTC in winter starts the new day")]
    [TestCase("2026-03-28T23:30:00Z", "2026-03-28", TestName = "23:30 GMT the night before clocks go forward")]
    [TestCase("2026-03-29T23:00:00Z", "2026-03-30", TestName = "23:00 UTC on the spring change day is already midnight BST")]
    [TestCase("2026-10-24T23:00:00Z", "2026-10-25", TestName = "23:00 UTC the night before clocks go back is midnight BST")]
    [TestCase("2026-10-25T23:30:00Z", "2026-10-25", TestName = "23:30 UTC on the autumn change day is 23:30 GMT")]
    [TestCase("2026-07-01T00:30:00+02:00", "2026-06-30", TestName = "an instant given with a foreign offset is dated by UK time")]
    public void The_uk_date_of_an_instant_near_midnight(string instant, string expected)
        => Assert.That(UkTime.DateOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));

    [TestCase("2026-03-29T00:59:59Z", 0, TestName = "00:59:59 GMT just before clocks go forward")]
    [TestCase("2026-03-29T01:00:00Z", 2, TestName = "01:00 UTC on the spring change is 02:00 BST (01:xx local never happens)")]
    [TestCase("2026-10-25T00:30:00Z", 1, TestName = "00:30 UTC on the autumn change is the first 01:30 (BST)")]
    [TestCase("2026-10-25T01:30:00Z", 1, TestName = "01:30 UTC on the autumn change is the second 01:30 (GMT)")]
    [TestCase("2026-10-25T02:00:00Z", 2, TestName = "02:00 UTC after clocks went back is 02:00 GMT")]
    [TestCase("2026-06-01T21:00:00Z", 22, TestName = "21:00 UTC in summer is 22:00 BST, night-time")]
    public void The_uk_hour_of_an_instant_on_change_over_days(string instant, int expected)
        => Assert.That(UkTime.HourOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));

    [Test]
    public void A_uk_day_starts_at_local_midnight_given_in_utc()
    {
        Assert.Multiple(() =>
        {
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 6, 15)), Is.EqualTo(Utc(2026, 6, 14, 23, 0)));
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 12, 15)), Is.EqualTo(Utc(2026, 12, 15, 0, 0)));
            // Midnight on the spring change day is still GMT (the clocks change at 01:00); the next midnight is BST.
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 3, 29)), Is.EqualTo(Utc(2026, 3, 29, 0, 0)));
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 3, 30)), Is.EqualTo(Utc(2026, 3, 29, 23, 0)));
            // Midnight on the autumn change day is still BST (the clocks change at 02:00); the next midnight is GMT.
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 10, 25)), Is.EqualTo(Utc(2026, 10, 24, 23, 0)));
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 10, 26)), Is.EqualTo(Utc(2026, 10, 26, 0, 0)));
            Assert.That(UkTime.StartOfDay(new DateOnly(2026, 6, 15)).Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void The_spring_change_day_is_23_hours_long_and_the_autumn_one_25()
    {
        var spring = UkTime.Range(new DateOnly(2026, 3, 29), new DateOnly(2026, 3, 29));
        var autumn = UkTime.Range(new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 25));
        Assert.Multiple(() =>
        {
            Assert.That(spring, Is.EqualTo((Utc(2026, 3, 29, 0, 0), Utc(2026, 3, 29, 23, 0))));
            Assert.That(autumn, Is.EqualTo((Utc(2026, 10, 24, 23, 0), Utc(2026, 10, 26, 0, 0))));
        });
    }

    [Test]
    public void A_report_range_includes_both_dates()
        => Assert.That(UkTime.Range(new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30)),
            Is.EqualTo((Utc(2026, 5, 31, 23, 0), Utc(2026, 6, 30, 23, 0))));

    [Test]
    public void Today_is_the_uk_date_on_the_clock_not_the_utc_date()
    {
        Assert.Multiple(() =>
        {
            Assert.That(UkTime.Today(new FixedClock(Utc(2026, 8, 31, 23, 30))), Is.EqualTo(new DateOnly(2026, 9, 1)));
            Assert.That(UkTime.Today(new FixedClock(Utc(2026, 11, 30, 23, 30))), Is.EqualTo(new DateOnly(2026, 11, 30)));
        });
    }
}
