using AnprWatch.Core.Hits;

namespace AnprWatch.Core.Tests.Hits;

/// <summary>
/// DESIGN §3 "Alerting" as changed by CONTRACTS-ROUND2: a hit is stale when processed more than MaxReadAge (30 min)
/// after it was observed (replay: never); otherwise it is suppressed when an alerted hit of the same marker and camera
/// force was observed within RepeatWindow (15 min) either side of it, both edges inclusive. Stale is decided first.
/// </summary>
public class AlertGateWindowTests
{
    private static readonly AlertGate Gate = new(new AlertingOptions());
    private static readonly DateTimeOffset Seen = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Test]
    public void The_default_repeat_window_is_fifteen_minutes()
        => Assert.That(Gate.RepeatWindow, Is.EqualTo(TimeSpan.FromMinutes(15)));

    [Test]
    public void A_hit_with_no_earlier_alert_read_at_once_is_alerted()
        => Assert.That(Gate.Decide(Seen, Seen, null), Is.EqualTo(NotAlertedReason.None));

    [TestCase(-15 * 60, NotAlertedReason.Suppressed, TestName = "An alert exactly 15 minutes before suppresses (inclusive)")]
    [TestCase(-14 * 60 - 59, NotAlertedReason.Suppressed, TestName = "An alert 14:59 before suppresses")]
    [TestCase(0, NotAlertedReason.Suppressed, TestName = "An alert at the same instant suppresses")]
    [TestCase(15 * 60, NotAlertedReason.Suppressed, TestName = "An alert exactly 15 minutes after suppresses a late read (inclusive)")]
    [TestCase(-15 * 60 - 1, NotAlertedReason.None, TestName = "An alert 15:01 before no longer suppresses")]
    [TestCase(15 * 60 + 1, NotAlertedReason.None, TestName = "An alert 15:01 after does not suppress a late read")]
    public void Repeats_within_the_window_either_side_are_suppressed(int alertedSecondsFromHit, NotAlertedReason expected)
        => Assert.That(Gate.Decide(Seen, null, Seen.AddSeconds(alertedSecondsFromHit)), Is.EqualTo(expected));

    [Test]
    public void The_window_edges_are_exact_to_the_tick()
    {
        var window = TimeSpan.FromMinutes(15);
        Assert.Multiple(() =>
        {
            Assert.That(Gate.Suppresses(Seen - window, Seen), Is.True);
            Assert.That(Gate.Suppresses(Seen - window - Tick, Seen), Is.False);
            Assert.That(Gate.Suppresses(Seen + window, Seen), Is.True);
            Assert.That(Gate.Suppresses(Seen + window + Tick, Seen), Is.False);
        });
    }

    [Test]
    public void The_window_is_observed_at_plus_and_minus_fifteen_minutes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Gate.WindowStart(Seen), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 11, 45, 0, TimeSpan.Zero)));
            Assert.That(Gate.WindowEnd(Seen), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 12, 15, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void A_configured_window_is_honoured()
    {
        var gate = new AlertGate(new AlertingOptions { RepeatWindow = TimeSpan.FromMinutes(5) });
        Assert.Multiple(() =>
        {
            Assert.That(gate.RepeatWindow, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(gate.Decide(Seen, null, Seen.AddMinutes(-5)), Is.EqualTo(NotAlertedReason.Suppressed));
            Assert.That(gate.Decide(Seen, null, Seen.AddMinutes(-6)), Is.EqualTo(NotAlertedReason.None));
            Assert.That(gate.WindowStart(Seen), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 11, 55, 0, TimeSpan.Zero)));
            Assert.That(gate.WindowEnd(Seen), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 12, 5, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void The_window_near_the_ends_of_the_calendar_is_clamped_instead_of_overflowing()
    {
        var nearStart = DateTimeOffset.MinValue.AddMinutes(10);
        var nearEnd = DateTimeOffset.MaxValue.AddMinutes(-10);
        var exactlyOneWindowIn = DateTimeOffset.MinValue.AddMinutes(15);
        var exactlyOneWindowBeforeEnd = DateTimeOffset.MaxValue.AddMinutes(-15);
        Assert.Multiple(() =>
        {
            Assert.That(Gate.WindowStart(nearStart), Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(Gate.WindowEnd(nearStart), Is.EqualTo(DateTimeOffset.MinValue.AddMinutes(25)));
            Assert.That(Gate.WindowEnd(nearEnd), Is.EqualTo(DateTimeOffset.MaxValue));
            Assert.That(Gate.WindowStart(nearEnd), Is.EqualTo(DateTimeOffset.MaxValue.AddMinutes(-25)));
            // Exactly one window from either end still fits without clamping: MinValue itself and MaxValue itself.
            Assert.That(Gate.WindowStart(exactlyOneWindowIn), Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(Gate.WindowEnd(exactlyOneWindowBeforeEnd), Is.EqualTo(DateTimeOffset.MaxValue));
            Assert.That(Gate.Suppresses(DateTimeOffset.MinValue, nearStart), Is.True);
            Assert.That(Gate.Suppresses(DateTimeOffset.MaxValue, nearEnd), Is.True);
        });
    }

    [TestCase(30 * 60, NotAlertedReason.None, TestName = "A read processed exactly 30 minutes after it was seen is not stale")]
    [TestCase(30 * 60 + 1, NotAlertedReason.Stale, TestName = "A read processed 30:01 after it was seen is stale")]
    [TestCase(2 * 60 * 60, NotAlertedReason.Stale, TestName = "A read processed two hours late is stale")]
    [TestCase(-60, NotAlertedReason.None, TestName = "A read stamped a minute ahead of the clock is not stale")]
    public void Reads_older_than_thirty_minutes_when_processed_live_are_stale(int processedSecondsAfter, NotAlertedReason expected)
        => Assert.That(Gate.Decide(Seen, Seen.AddSeconds(processedSecondsAfter), null), Is.EqualTo(expected));

    [Test]
    public void Staleness_is_exact_to_the_tick_and_follows_the_configured_age()
    {
        var gate = new AlertGate(new AlertingOptions { MaxReadAge = TimeSpan.FromMinutes(2) });
        Assert.Multiple(() =>
        {
            Assert.That(Gate.Decide(Seen, Seen + TimeSpan.FromMinutes(30) + Tick, null), Is.EqualTo(NotAlertedReason.Stale));
            Assert.That(gate.Decide(Seen, Seen.AddMinutes(2), null), Is.EqualTo(NotAlertedReason.None));
            Assert.That(gate.Decide(Seen, Seen.AddMinutes(3), null), Is.EqualTo(NotAlertedReason.Stale));
        });
    }

    [Test]
    public void A_replayed_read_is_never_stale_however_old()
        => Assert.That(Gate.Decide(Seen.AddYears(-3), null, null), Is.EqualTo(NotAlertedReason.None));

    [Test]
    public void A_stale_read_is_reported_stale_even_when_a_repeat_would_also_suppress_it()
        => Assert.That(Gate.Decide(Seen, Seen.AddHours(1), Seen.AddMinutes(-1)), Is.EqualTo(NotAlertedReason.Stale));

    [Test]
    public void A_fresh_repeat_processed_live_is_suppressed()
        => Assert.That(Gate.Decide(Seen, Seen.AddMinutes(1), Seen.AddMinutes(-10)), Is.EqualTo(NotAlertedReason.Suppressed));
}
