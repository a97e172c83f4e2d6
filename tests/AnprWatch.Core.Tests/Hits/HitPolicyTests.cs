using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Hits;

public class HitPolicyTests
{
    private static readonly HitPolicy Default = new(new AlertingOptions());

    private static HitAssessment? Assess(Marker marker, string observedAt, HitPolicy? policy = null, MatchKind kind = MatchKind.Exact, string camera = "wiltshire")
        => (policy ?? Default).TryAssess(marker, kind, AnprWatch.Core.Forces.ForceRegistry.Get(camera), DateTimeOffset.Parse(observedAt, System.Globalization.CultureInfo.InvariantCulture), out var a) ? a : null;

    // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
    [TestCase("2026-06-01T21:30:00Z", Priority.Urgent, TestName = "22:30 BST is night although 21:30 UTC is not")]
    [TestCase("2026-06-01T05:30:00Z", Priority.High, TestName = "06:30 BST is day although 05:30 UTC is night")]
    [TestCase("2026-12-01T21:59:59Z", Priority.High, TestName = "21:59:59 GMT is day")]
    [TestCase("2026-12-01T22:00:00Z", Priority.Urgent, TestName = "22:00 GMT starts the night (inclusive)")]
    [TestCase("2026-12-01T06:00:00Z", Priority.High, TestName = "06:00 GMT ends the night (exclusive)")]
    [TestCase("2026-12-01T05:59:59Z", Priority.Urgent, TestName = "05:59:59 GMT is night")]
    [TestCase("2026-03-29T00:30:00Z", Priority.Urgent, TestName = "00:30 GMT before clocks go forward")]
    [TestCase("2026-03-29T05:30:00Z", Priority.High, TestName = "05:30 UTC on the spring change is 06:30 BST")]
    [TestCase("2026-03-29T04:30:00Z", Priority.Urgent, TestName = "04:30 UTC on the spring change is 05:30 BST")]
    [TestCase("2026-10-25T00:30:00Z", Priority.Urgent, TestName = "first 01:30 (BST) on the autumn change")]
    [TestCase("2026-10-25T01:30:00Z", Priority.Urgent, TestName = "second 01:30 (GMT) on the autumn change")]
    [TestCase("2026-10-25T05:30:00Z", Priority.Urgent, TestName = "05:30 GMT after clocks go back is still night")]
    [TestCase("2026-10-24T05:30:00Z", Priority.High, TestName = "05:30 UTC the day before is 06:30 BST")]
    public void High_risk_priority_follows_uk_local_time(string observedAt, Priority expected)
        => Assert.That(Assess(Marker(risk: RiskLevel.High), observedAt)!.Value.Priority, Is.EqualTo(expected));

    [Test]
    public void Medium_risk_is_routine_even_at_night()
        => Assert.That(Assess(Marker(risk: RiskLevel.Medium), "2026-06-01T23:00:00Z")!.Value.Priority, Is.EqualTo(Priority.Routine));

    [Test]
    public void Low_risk_never_hits_under_the_default_policy_but_can_be_configured()
    {
        var withLow = new HitPolicy(new AlertingOptions { RiskLevels = [RiskLevel.High, RiskLevel.Medium, RiskLevel.Low] });
        Assert.Multiple(() =>
        {
            Assert.That(Assess(Marker(risk: RiskLevel.Low), "2026-06-01T12:00:00Z"), Is.Null);
            Assert.That(Assess(Marker(risk: RiskLevel.Low), "2026-06-01T12:00:00Z", withLow)!.Value.Priority, Is.EqualTo(Priority.Routine));
        });
    }

    [Test]
    public void In_force_reads_are_not_hits_unless_configured()
    {
        var include = new HitPolicy(new AlertingOptions { IncludeInForce = true });
        Assert.Multiple(() =>
        {
            Assert.That(Assess(Marker(), "2026-06-01T12:00:00Z", camera: "avon-and-somerset"), Is.Null);
            Assert.That(Assess(Marker(), "2026-06-01T12:00:00Z", include, camera: "avon-and-somerset")!.Value.InForce, Is.True);
            Assert.That(Assess(Marker(), "2026-06-01T12:00:00Z", include)!.Value.InForce, Is.False);
        });
    }

    [Test]
    public void Expiry_is_inclusive_in_uk_local_time()
    {
        var marker = Marker(expires: new DateOnly(2026, 6, 30));
        Assert.Multiple(() =>
        {
            Assert.That(Assess(marker, "2026-06-30T22:59:59Z"), Is.Not.Null, "23:59:59 BST on the expiry date");
            Assert.That(Assess(marker, "2026-06-30T23:00:00Z"), Is.Null, "00:00 BST the next day");
        });
    }

    [Test]
    public void Review_overdue_starts_the_uk_day_after_review_due()
    {
        var marker = Marker(reviewDue: new DateOnly(2026, 7, 15));
        Assert.Multiple(() =>
        {
            Assert.That(Assess(marker, "2026-07-15T22:59:00Z")!.Value.ReviewOverdue, Is.False);
            Assert.That(Assess(marker, "2026-07-15T23:01:00Z")!.Value.ReviewOverdue, Is.True);
        });
    }

    [Test]
    public void Ocr_equivalent_hits_ask_to_verify_the_plate()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assess(Marker(), "2026-06-01T12:00:00Z", kind: MatchKind.OcrEquivalent)!.Value.VerifyPlate, Is.True);
            Assert.That(Assess(Marker(), "2026-06-01T12:00:00Z")!.Value.VerifyPlate, Is.False);
        });
    }
}

public class AlertGateTests
{
    private static readonly AlertGate Gate = new(new AlertingOptions());
    private static readonly DateTimeOffset T = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void First_hit_is_alerted()
        => Assert.That(Gate.Decide(T, null, null), Is.EqualTo(NotAlertedReason.None));

    [TestCase(0, NotAlertedReason.Suppressed)]
    [TestCase(14 * 60, NotAlertedReason.Suppressed)]
    [TestCase(15 * 60, NotAlertedReason.Suppressed)]
    [TestCase(15 * 60 + 1, NotAlertedReason.None)]
    public void Repeats_within_the_window_are_suppressed(int secondsSinceLast, NotAlertedReason expected)
        => Assert.That(Gate.Decide(T, null, T.AddSeconds(-secondsSinceLast)), Is.EqualTo(expected));

    // A late read (a camera's backlog) observed before an alert that is already out: the window reaches both ways,
    // inclusive at exactly 15 minutes (the default Alerting:RepeatWindow) on either side.
    [TestCase(1, NotAlertedReason.Suppressed)]
    [TestCase(5 * 60, NotAlertedReason.Suppressed)]
    [TestCase(15 * 60 - 1, NotAlertedReason.Suppressed)]
    [TestCase(15 * 60, NotAlertedReason.Suppressed)]
    [TestCase(15 * 60 + 1, NotAlertedReason.None)]
    [TestCase(60 * 60, NotAlertedReason.None)]
    public void A_late_read_observed_before_an_alert_within_the_window_is_suppressed_too(int secondsBeforeTheAlert, NotAlertedReason expected)
        => Assert.That(Gate.Decide(T, null, T.AddSeconds(secondsBeforeTheAlert)), Is.EqualTo(expected));

    [Test]
    public void The_window_edges_are_literal_timestamps_either_side()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Gate.WindowStart(T), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 11, 45, 0, TimeSpan.Zero)));
            Assert.That(Gate.WindowEnd(T), Is.EqualTo(new DateTimeOffset(2026, 6, 1, 12, 15, 0, TimeSpan.Zero)));
            Assert.That(Gate.Suppresses(new DateTimeOffset(2026, 6, 1, 11, 45, 0, TimeSpan.Zero), T), Is.True);
            Assert.That(Gate.Suppresses(new DateTimeOffset(2026, 6, 1, 11, 44, 59, 999, TimeSpan.Zero), T), Is.False);
            Assert.That(Gate.Suppresses(new DateTimeOffset(2026, 6, 1, 12, 15, 0, TimeSpan.Zero), T), Is.True);
            Assert.That(Gate.Suppresses(new DateTimeOffset(2026, 6, 1, 12, 15, 0, 1, TimeSpan.Zero), T), Is.False);

            // The same instant in another offset is the same instant: 13:15 BST is 12:15 UTC.
            Assert.That(Gate.Suppresses(new DateTimeOffset(2026, 6, 1, 13, 15, 0, TimeSpan.FromHours(1)), T), Is.True);

            // Clamped, not overflowing, at the ends of the calendar.
            Assert.That(Gate.WindowStart(DateTimeOffset.MinValue.AddMinutes(1)), Is.EqualTo(DateTimeOffset.MinValue));
            Assert.That(Gate.WindowEnd(DateTimeOffset.MaxValue.AddMinutes(-1)), Is.EqualTo(DateTimeOffset.MaxValue));
        });
    }

    [Test]
    public void A_stale_late_read_is_stale_not_suppressed()
        => Assert.That(Gate.Decide(T, T.AddMinutes(31), T.AddMinutes(1)), Is.EqualTo(NotAlertedReason.Stale));

    [Test]
    public void Live_reads_older_than_max_age_are_stale_replayed_reads_never()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Gate.Decide(T, T.AddMinutes(31), null), Is.EqualTo(NotAlertedReason.Stale));
            Assert.That(Gate.Decide(T, T.AddMinutes(30), null), Is.EqualTo(NotAlertedReason.None));
            Assert.That(Gate.Decide(T, null, null), Is.EqualTo(NotAlertedReason.None));
        });
    }
}
