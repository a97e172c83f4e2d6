using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Pipeline;

/// <summary>The running totals a summary, /healthz and telemetry show: each hit counted once by its decision.</summary>
public class PipelineStatsTests
{
    private static Hit HitIn(AnprWatch.Core.Forces.Force camera, NotAlertedReason reason = NotAlertedReason.None, bool inForce = false, bool clone = false) => new()
    {
        HitId = "h", AlertId = "a", ReadId = "r", MarkerId = "m", Vrm = "AB12CDE", MarkerVrm = "AB12CDE", MatchKind = MatchKind.Exact,
        ObservedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero), CameraId = "CAM", CameraForce = camera, HostForce = Avon,
        Risk = RiskLevel.High, Priority = Priority.High, SuspectRef = "SR-1", ReviewOverdue = false, InForce = inForce,
        NotAlertedReason = reason, PossibleClone = clone,
    };

    [Test]
    public void A_new_pipeline_has_counted_nothing()
    {
        var stats = new PipelineStats();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { stats.Reads, stats.DeadLetters, stats.Hits, stats.Alerted, stats.Suppressed, stats.Stale, stats.InForce, stats.OutOfForce, stats.Batches, stats.InternalErrors, stats.PossibleClones, stats.Confirmations },
                Is.All.EqualTo(0));
            Assert.That(stats.HitsByCameraForce, Is.Empty);
        });
    }

    [Test]
    public void Hits_are_counted_by_decision_force_and_clone_flag()
    {
        var stats = new PipelineStats();
        stats.AddHit(HitIn(Wiltshire));
        stats.AddHit(HitIn(Wiltshire, NotAlertedReason.Suppressed));
        stats.AddHit(HitIn(Dorset, NotAlertedReason.Stale, clone: true));
        stats.AddHit(HitIn(Avon, inForce: true));
        stats.AddHit(HitIn(Dorset, clone: true));
        Assert.Multiple(() =>
        {
            Assert.That(stats.Hits, Is.EqualTo(5));
            // Alerted: the three with no reason (Wiltshire, Avon, Dorset); one suppressed; one stale.
            Assert.That(stats.Alerted, Is.EqualTo(3));
            Assert.That(stats.Suppressed, Is.EqualTo(1));
            Assert.That(stats.Stale, Is.EqualTo(1));
            Assert.That(stats.InForce, Is.EqualTo(1));
            Assert.That(stats.OutOfForce, Is.EqualTo(4));
            Assert.That(stats.PossibleClones, Is.EqualTo(2));
            Assert.That(stats.HitsByCameraForce, Is.EquivalentTo(new Dictionary<string, long> { ["wiltshire"] = 2, ["dorset"] = 2, ["avon-and-somerset"] = 1 }));
            Assert.That(stats.Reads, Is.EqualTo(0), "hits are not reads");
        });
    }

    [Test]
    public void Batches_add_their_reads_and_dead_letters()
    {
        var stats = new PipelineStats();
        stats.AddBatch(100, 3);
        stats.AddBatch(50, 0);
        Assert.Multiple(() =>
        {
            Assert.That(stats.Batches, Is.EqualTo(2));
            Assert.That(stats.Reads, Is.EqualTo(150));
            Assert.That(stats.DeadLetters, Is.EqualTo(3));
            Assert.That(stats.InternalErrors, Is.EqualTo(0));
        });
    }

    [Test]
    public void Reads_the_worker_dead_letters_whole_count_as_read_dead_lettered_and_internal_errors()
    {
        var stats = new PipelineStats();
        stats.AddBatch(10, 1);
        stats.AddDeadLettered(4);
        stats.AddInternalError();
        Assert.Multiple(() =>
        {
            Assert.That(stats.Reads, Is.EqualTo(14));
            Assert.That(stats.DeadLetters, Is.EqualTo(5));
            Assert.That(stats.InternalErrors, Is.EqualTo(5));
            Assert.That(stats.Batches, Is.EqualTo(1), "a whole-read dead letter is not a batch");
        });
    }

    [Test]
    public void Confirmations_add_up()
    {
        var stats = new PipelineStats();
        stats.AddConfirmations(2);
        stats.AddConfirmations(1);
        Assert.That(stats.Confirmations, Is.EqualTo(3));
    }
}
