using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Notifications;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// What a key scoped to some forces may read (the alert feed and hit queries), in which order, and what a batch plans
/// to notify, on both dialects like <see cref="StorageContractTests"/>. Hit ids are given by hand ("h-a", "h-b", …) so
/// every expected order is worked out here, never taken from the code under test.
/// </summary>
[TestFixtureSource(typeof(StorageContractTests), nameof(StorageContractTests.Dialects))]
public class ScopedReadsContractTests(string dialect)
{
    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");
    private static readonly Force Dorset = ForceRegistry.Get("dorset");
    private static readonly Force Kent = ForceRegistry.Get("kent");
    private static readonly DateTimeOffset T = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private StoreFixture _store = null!;

    [SetUp]
    public async Task SetUp() => _store = await StoreFixture.CreateAsync(dialect);

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    /// <summary>A hit with a hand-given id, seen by a <paramref name="camera"/> force's camera on a <paramref name="host"/> force's marker.</summary>
    private static Hit H(string hitId, Force camera, Force host, DateTimeOffset observedAt, DateTimeOffset? recordedAt = null, NotAlertedReason reason = NotAlertedReason.None)
    {
        var marker = new Marker("AB12CDE", "SR-1", RiskLevel.High, host, new DateOnly(2027, 1, 1), null, null, null, null, "ACT");
        return new Hit
        {
            HitId = hitId, AlertId = "a-" + hitId[2..], ReadId = "r-" + hitId[2..], MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM", CameraForce = camera, HostForce = host,
            Risk = RiskLevel.High, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false,
            NotAlertedReason = reason, RecordedAt = recordedAt ?? observedAt,
        };
    }

    /// <summary>
    /// h-1: a Wiltshire camera on an Avon and Somerset marker; h-2: a Kent camera on a Dorset marker; h-3: a Kent camera
    /// on an Avon and Somerset marker. A key scoped to Wiltshire and Dorset sees h-1 (camera side) and h-2 (host side).
    /// </summary>
    private Task<IReadOnlyList<Hit>> SaveThreeForcesAsync()
        => _store.Hits.SaveHitsAsync(
        [
            H("h-1", Wiltshire, Avon, T),
            H("h-2", Kent, Dorset, T.AddMinutes(1)),
            H("h-3", Kent, Avon, T.AddMinutes(2)),
        ], CancellationToken.None);

    [Test]
    public async Task A_key_scoped_to_some_forces_sees_on_the_alert_feed_only_alerts_seen_by_or_marked_in_those_forces()
    {
        await SaveThreeForcesAsync();
        Assert.Multiple(async () =>
        {
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 10, routedTo: ["wiltshire", "dorset"])).Select(h => h.HitId), Is.EqualTo(new[] { "h-1", "h-2" }));
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 10, routedTo: ["kent"])).Select(h => h.HitId), Is.EqualTo(new[] { "h-2", "h-3" }));
            Assert.That(await _store.Hits.AlertedAfterAsync(0, "", null, 10, routedTo: ["devon-and-cornwall"]), Is.Empty, "a force with no hits sees nothing");
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 10)).Select(h => h.HitId), Is.EqualTo(new[] { "h-1", "h-2", "h-3" }), "a national key sees every alert");
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", "avon-and-somerset", 10, routedTo: ["wiltshire", "dorset"])).Select(h => h.HitId), Is.EqualTo(new[] { "h-1" }),
                "a force filter narrows the scope, never widens it");
        });
    }

    [Test]
    public async Task A_key_scoped_to_some_forces_finds_in_a_hit_query_only_hits_seen_by_or_marked_in_those_forces()
    {
        await SaveThreeForcesAsync();
        Assert.Multiple(async () =>
        {
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1), RoutedTo: ["wiltshire", "dorset"]))).Select(h => h.HitId), Is.EqualTo(new[] { "h-1", "h-2" }));
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1), RoutedTo: ["kent"]))).Select(h => h.HitId), Is.EqualTo(new[] { "h-2", "h-3" }));
            Assert.That(await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1), RoutedTo: ["devon-and-cornwall"])), Is.Empty);
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1)))).Select(h => h.HitId), Is.EqualTo(new[] { "h-1", "h-2", "h-3" }), "no scope: every hit");
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1), HostForces: ["avon-and-somerset"], RoutedTo: ["wiltshire", "dorset"]))).Select(h => h.HitId),
                Is.EqualTo(new[] { "h-1" }), "a host-force filter narrows the scope (h-3 is Avon and Somerset's but out of scope)");
        });
    }

    [Test]
    public async Task The_alert_feed_runs_in_recorded_order_then_hit_id_and_resumes_after_a_cursor_inside_one_millisecond()
    {
        // Stored in an order that is neither: h-c, h-a and h-b recorded in the same millisecond, h-d a second earlier, h-e a second later.
        await _store.Hits.SaveHitsAsync(
        [
            H("h-e", Wiltshire, Avon, T, T.AddSeconds(3)),
            H("h-c", Wiltshire, Avon, T, T.AddSeconds(2)),
            H("h-a", Wiltshire, Avon, T, T.AddSeconds(2)),
            H("h-d", Wiltshire, Avon, T, T.AddSeconds(1)),
            H("h-b", Wiltshire, Avon, T, T.AddSeconds(2)),
        ], CancellationToken.None);
        var atOne = T.AddSeconds(1).ToUnixTimeMilliseconds();
        var atTwo = T.AddSeconds(2).ToUnixTimeMilliseconds();
        Assert.Multiple(async () =>
        {
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 10)).Select(h => h.HitId), Is.EqualTo(new[] { "h-d", "h-a", "h-b", "h-c", "h-e" }));
            Assert.That((await _store.Hits.AlertedAfterAsync(atOne, "h-d", null, 10)).Select(h => h.HitId), Is.EqualTo(new[] { "h-a", "h-b", "h-c", "h-e" }));
            Assert.That((await _store.Hits.AlertedAfterAsync(atTwo, "h-a", null, 10)).Select(h => h.HitId), Is.EqualTo(new[] { "h-b", "h-c", "h-e" }), "same millisecond, later id, then later");
            Assert.That((await _store.Hits.AlertedAfterAsync(atTwo, "h-a", null, 2)).Select(h => h.HitId), Is.EqualTo(new[] { "h-b", "h-c" }), "limit after a cursor");
            Assert.That((await _store.Hits.AlertedAfterAsync(atTwo, "h-c", null, 10)).Select(h => h.HitId), Is.EqualTo(new[] { "h-e" }));
            Assert.That(await _store.Hits.AlertedAfterAsync(T.AddSeconds(3).ToUnixTimeMilliseconds(), "h-e", null, 10), Is.Empty, "the last one sent");
            Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 2)).Select(h => h.HitId), Is.EqualTo(new[] { "h-d", "h-a" }), "limit");
            Assert.That((await _store.Hits.AlertedAfterAsync(atOne, "h-d", null, 2, routedTo: ["wiltshire"])).Select(h => h.HitId), Is.EqualTo(new[] { "h-a", "h-b" }), "limit within a scope");
        });
    }

    [Test]
    public async Task A_hit_query_runs_in_observed_order_then_hit_id_whatever_order_the_hits_were_stored_in()
    {
        await _store.Hits.SaveHitsAsync(
        [
            H("h-c", Wiltshire, Avon, T),
            H("h-a", Wiltshire, Avon, T),
            H("h-b", Kent, Dorset, T.AddMinutes(-1)),
        ], CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1)))).Select(h => h.HitId), Is.EqualTo(new[] { "h-b", "h-a", "h-c" }));
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(T.AddDays(-1), T.AddDays(1), RoutedTo: ["wiltshire", "dorset"]))).Select(h => h.HitId), Is.EqualTo(new[] { "h-b", "h-a", "h-c" }));
        });
    }

    [Test]
    public async Task A_hits_alert_is_routed_to_its_camera_force_and_its_host_force_and_an_unknown_hit_has_no_routing()
    {
        await SaveThreeForcesAsync();
        var routing = await _store.Hits.RoutingOfAsync("h-2");
        Assert.That((routing!.CameraForce, routing.HostForce), Is.EqualTo(("kent", "dorset")));
        Assert.That(await _store.Hits.RoutingOfAsync("h-9"), Is.Null);
    }

    /// <summary>Records every hit the store asks it to plan for, and plans one webhook each.</summary>
    private sealed class RecordingPlanner : IOutboxPlanner
    {
        public List<string> Planned { get; } = [];

        public List<string> PlannedConfirmations { get; } = [];

        public bool IsEmpty => false;

        public void Plan(Hit hit, List<OutboxEntry> into)
        {
            Planned.Add(hit.HitId);
            into.Add(new OutboxEntry(hit.AlertId, hit.HitId, "webhook", "https://hooks.example/riu", "high", "{}"));
        }

        public void PlanConfirmation(Hit confirmed, List<OutboxEntry> into)
        {
            PlannedConfirmations.Add(confirmed.HitId);
            into.Add(new OutboxEntry(confirmed.AlertId, confirmed.HitId, "webhook", "https://hooks.example/riu", "high", "{}", Confirmation: true));
        }
    }

    [Test]
    public async Task A_suppressed_hit_or_an_alert_already_delivered_plans_no_notification()
    {
        var planner = new RecordingPlanner();
        var hits = new HitStore(_store.Database, planner);
        await hits.SaveHitsAsync([H("h-1", Wiltshire, Avon, T), H("h-2", Wiltshire, Avon, T.AddMinutes(1), reason: NotAlertedReason.Suppressed)], CancellationToken.None);
        Assert.That(planner.Planned, Is.EqualTo(new[] { "h-1" }), "only the alerted hit");

        await hits.MarkAlertsDeliveredAsync(["h-1"], T.AddMinutes(2), CancellationToken.None);
        planner.Planned.Clear();
        await hits.SaveHitsAsync([H("h-1", Wiltshire, Avon, T), H("h-2", Wiltshire, Avon, T.AddMinutes(1), reason: NotAlertedReason.Suppressed)], CancellationToken.None);
        Assert.That(planner.Planned, Is.Empty, "h-1's alert was delivered and h-2 was suppressed: a re-processed batch plans nothing");

        Assert.That((await new OutboxStore(_store.Database).ListAsync("pending", 10)).Select(r => (r.HitId, r.Target)), Is.EqualTo(new[] { ("h-1", "https://hooks.example/riu") }));
        Assert.That(planner.PlannedConfirmations, Is.Empty);
    }

    [Test]
    public async Task An_outcome_history_holds_the_outcomes_of_the_hits_asked_for_and_no_others()
    {
        await SaveThreeForcesAsync();
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        await outcomes.RecordAsync("h-1", "acknowledged", null, null, "desk-1", "control-room");
        await outcomes.RecordAsync("h-2", "dispatched", null, null, "desk-2", "control-room");
        await outcomes.RecordAsync("h-1", "false-hit", "misread", null, "desk-1", "control-room");
        await outcomes.RecordAsync("h-3", "stopped", null, null, "desk-3", "control-room");

        var history = await outcomes.HistoryAsync(["h-1", "h-3"]);
        Assert.That(history.Keys.Order(StringComparer.Ordinal), Is.EqualTo(new[] { "h-1", "h-3" }));
        Assert.That(history["h-1"].Select(o => (o.Status, o.Reason, o.RecordedBy)), Is.EqualTo(new[] { ("acknowledged", (string?)null, "desk-1"), ("false-hit", "misread", "desk-1") }));
        Assert.That(history["h-3"].Select(o => (o.Status, o.CameraForce, o.HostForce)), Is.EqualTo(new[] { ("stopped", "kent", "avon-and-somerset") }));
    }

    [Test]
    public async Task The_outcome_change_cursor_starts_at_its_instant_runs_in_recorded_order_and_stops_at_its_limit()
    {
        await SaveThreeForcesAsync();
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        _store.Clock.Now = T;
        await outcomes.RecordAsync("h-1", "acknowledged", null, null, "desk-1", "control-room");          // before the cursor
        _store.Clock.Now = T.AddMinutes(2);
        await outcomes.RecordAsync("h-2", "dispatched", null, null, "desk-2", "control-room");           // recorded last, stored before the next two
        _store.Clock.Now = T.AddMinutes(1);
        await outcomes.RecordAsync("h-3", "stopped", null, null, "desk-3", "control-room");
        await outcomes.RecordAsync("h-1", "safeguarding", null, null, "desk-1", "control-room");          // same millisecond, later outcome

        Assert.Multiple(async () =>
        {
            Assert.That((await outcomes.RecordedSinceAsync(T.AddMinutes(1), 10)).Select(o => (o.HitId, o.Status)),
                Is.EqualTo(new[] { ("h-3", "stopped"), ("h-1", "safeguarding"), ("h-2", "dispatched") }));
            Assert.That((await outcomes.RecordedSinceAsync(T.AddMinutes(1), 2)).Select(o => (o.HitId, o.Status)), Is.EqualTo(new[] { ("h-3", "stopped"), ("h-1", "safeguarding") }), "limit");
            Assert.That((await outcomes.RecordedSinceAsync(T, 10)).Select(o => o.Status), Is.EqualTo(new[] { "acknowledged", "stopped", "safeguarding", "dispatched" }));
            Assert.That(await outcomes.RecordedSinceAsync(T.AddMinutes(2).AddMilliseconds(1), 10), Is.Empty);
        });
    }

    [Test]
    public async Task A_recorded_outcome_carries_its_hits_camera_and_host_force_so_a_force_board_is_told()
    {
        await SaveThreeForcesAsync();
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        var recorded = await outcomes.RecordAsync("h-2", "dispatched", null, null, "desk-2", "control-room");
        Assert.That((recorded!.HitId, recorded.Status, recorded.CameraForce, recorded.HostForce, recorded.RecordedAt), Is.EqualTo(("h-2", "dispatched", "kent", "dorset", _store.Clock.Now)));
    }

    [Test]
    public async Task A_report_period_counts_the_outcomes_of_hits_observed_in_it_with_their_reasons()
    {
        await _store.Hits.SaveHitsAsync([H("h-1", Wiltshire, Avon, T), H("h-2", Wiltshire, Avon, T.AddDays(1)), H("h-3", Wiltshire, Avon, T.AddMinutes(-1))], CancellationToken.None);
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        await outcomes.RecordAsync("h-1", "acknowledged", null, null, "desk-1", "control-room");
        await outcomes.RecordAsync("h-2", "stopped", null, null, "desk-1", "control-room");
        await outcomes.RecordAsync("h-1", "no-trace", "other", null, "desk-1", "control-room");
        await outcomes.RecordAsync("h-3", "dispatched", null, null, "desk-1", "control-room");

        var inPeriod = await outcomes.ForHitsObservedAsync(T, T.AddDays(1));
        Assert.That(inPeriod.Select(o => (o.HitId, o.Status, o.Reason, o.RecordedAt)),
            Is.EqualTo(new[] { ("h-1", "acknowledged", (string?)null, _store.Clock.Now), ("h-1", "no-trace", "other", _store.Clock.Now) }), "h-2 is observed at the period's end, h-3 before it");
    }
}
