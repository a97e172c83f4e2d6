using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;
using Dapper;

namespace AnprWatch.Storage.Tests;

/// <summary>The storage contract both dialects must honour. SQL Server runs only when ANPRWATCH_TEST_SQLSERVER is set.</summary>
[TestFixtureSource(nameof(Dialects))]
public class StorageContractTests(string dialect)
{
    /// <summary>SQLite always; SQL Server only where one is reachable, so nothing is reported as skipped here.</summary>
    public static IEnumerable<string> Dialects => StoreFixture.SqlServerConnectionString is null ? ["sqlite"] : ["sqlite", "sqlserver"];

    private StoreFixture _store = null!;
    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");

    [SetUp]
    public async Task SetUp()
    {
        _store = await StoreFixture.CreateAsync(dialect);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private static Marker M(string vrm, string suspect, RiskLevel risk = RiskLevel.High, Force? host = null)
        => new(vrm, suspect, risk, host ?? Avon, new DateOnly(2027, 1, 1), null, "OP", "act, now", null, "ACT");

    private static Hit H(string readId, Marker marker, DateTimeOffset observedAt, NotAlertedReason reason = NotAlertedReason.None, Force? camera = null)
    {
        var hitId = HitIds.ForHit(readId, marker.MarkerId);
        return new Hit
        {
            HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM", Site = "A4", Lat = 51.4, Lon = -2.5, CameraForce = camera ?? Wiltshire,
            HostForce = marker.HostForce, Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false,
            Operation = marker.Operation, Action = marker.Action, Contact = marker.Contact,
            InForce = false, NotAlertedReason = reason, RecordedAt = observedAt.AddSeconds(1),
        };
    }

    private Task<MarkerListVersion> Replace(Force force, params Marker[] markers)
        => ReplaceWithDiff(force, markers);

    private async Task<MarkerListVersion> ReplaceWithDiff(Force force, Marker[] markers)
    {
        var current = await _store.Markers.GetActiveMarkersAsync(force.Code);
        return await _store.Markers.ReplaceAsync(force, markers, "tester", "bureau", new string('a', 64), MarkerListDiff.Compute(current, markers), "import");
    }

    [Test]
    public async Task Migrations_apply_once()
        => Assert.That(await new MigrationRunner(_store.Database, _store.Clock).MigrateAsync(), Is.Empty);

    [Test]
    public async Task Replacing_a_list_creates_a_new_active_version_and_leaves_other_forces_alone()
    {
        await Replace(Avon, M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2"));
        await Replace(Wiltshire, M("WW11WWW", "SR-W", host: Wiltshire));
        var generation = await _store.Markers.GetGenerationAsync();
        var v2 = await Replace(Avon, M("CD34EFG", "SR-2", RiskLevel.Medium), M("EF56GHI", "SR-3"));

        var active = await _store.Markers.GetActiveMarkersAsync();
        var history = await _store.Markers.HistoryAsync(Avon.Code);
        Assert.Multiple(() =>
        {
            Assert.That(v2.Version, Is.EqualTo(2));
            Assert.That((v2.Added, v2.Removed, v2.Changed), Is.EqualTo((1L, 1L, 1L)));
            Assert.That(active.Select(m => m.SuspectRef), Is.EquivalentTo(new[] { "SR-2", "SR-3", "SR-W" }));
            Assert.That(active.Single(m => m.SuspectRef == "SR-2").Risk, Is.EqualTo(RiskLevel.Medium));
            Assert.That(active.Single(m => m.SuspectRef == "SR-2").Action, Is.EqualTo("act, now"));
            Assert.That(history.Select(h => (h.Version, h.IsActive)), Is.EqualTo(new[] { (1L, false), (2L, true) }));
            Assert.That(history[1].LoadedBy, Is.EqualTo("tester"));
        });
        Assert.That(await _store.Markers.GetGenerationAsync(), Is.GreaterThan(generation));
    }

    [Test]
    public async Task Every_load_is_audited()
    {
        await Replace(Avon, M("AB12CDE", "SR-1"));
        var entries = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(entries.Select(e => (e.Action, e.Actor, e.Subject)), Has.Member((AuditActions.Collect, "tester", "marker list avon-and-somerset v1")));
    }

    [Test]
    public async Task The_audit_log_refuses_updates_and_deletes()
    {
        await _store.Audit.AppendAsync(new AuditEntry(_store.Clock.Now, "a", "admin", AuditActions.Consult, "x"));
        await using var connection = await _store.Database.OpenAsync();
        Assert.That(async () => await connection.ExecuteAsync($"UPDATE {_store.Database.Table("audit_log")} SET actor = 'b'"), Throws.InstanceOf<System.Data.Common.DbException>());
        Assert.That(async () => await connection.ExecuteAsync($"DELETE FROM {_store.Database.Table("audit_log")}"), Throws.InstanceOf<System.Data.Common.DbException>());
    }

    [Test]
    public async Task Saving_a_hit_twice_keeps_one_row_and_the_first_decision()
    {
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 22, 15, 0, TimeSpan.FromHours(1));
        var first = await _store.Hits.SaveHitsAsync([H("r-1", marker, t)], CancellationToken.None);
        var again = await _store.Hits.SaveHitsAsync([H("r-1", marker, t, NotAlertedReason.Suppressed), H("r-2", marker, t.AddHours(1))], CancellationToken.None);
        var all = await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1)));
        Assert.Multiple(() =>
        {
            Assert.That(first.Single().Alerted, Is.True);
            Assert.That(again[0].Alerted, Is.True, "the stored decision wins over a recomputed one");
            Assert.That(all, Has.Count.EqualTo(2));
            Assert.That(all[0].ObservedAt, Is.EqualTo(t));
            Assert.That(all[0].ObservedAt.Offset, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(all[0].Lat, Is.EqualTo(51.4));
            Assert.That(all[0].Action, Is.EqualTo("act, now"));
        });
    }

    [Test]
    public async Task Review_due_counts_are_per_force_over_active_lists_only()
    {
        static Marker Due(string vrm, DateOnly due, Force host) => new(vrm, "SR-" + vrm, RiskLevel.High, host, due, null, null, null, null, "ACT");
        var today = new DateOnly(2026, 11, 22);
        Assert.That(await _store.Markers.ReviewDueCountsAsync(today, today.AddDays(7)), Is.Empty, "an empty store has nothing due");
        await Replace(Avon, Due("AA11AAA", today.AddDays(-1), Avon), Due("BB11BBB", today, Avon), Due("CC11CCC", today.AddDays(7), Avon), Due("DD11DDD", today.AddDays(8), Avon));
        await Replace(Wiltshire, Due("EE11EEE", today.AddDays(-30), Wiltshire));
        await Replace(Wiltshire, Due("FF11FFF", today.AddDays(30), Wiltshire)); // the overdue one is no longer active

        var counts = await _store.Markers.ReviewDueCountsAsync(today, today.AddDays(7));
        Assert.That(counts, Is.EqualTo(new[] { new ReviewDueCount("avon-and-somerset", 1, 2), new ReviewDueCount("wiltshire", 0, 0) }));
    }

    [Test]
    public async Task Active_markers_are_found_by_review_date_or_plate_in_active_lists_only()
    {
        static Marker Due(string vrm, string suspect, DateOnly due, Force host) => new(vrm, suspect, RiskLevel.High, host, due, null, null, null, null, "ACT");
        var today = new DateOnly(2026, 11, 22);
        await Replace(Avon, Due("AA11AAA", "SR-1", today.AddDays(-1), Avon), Due("AA11AAA", "SR-2", today.AddDays(30), Avon), Due("BB11BBB", "SR-3", today.AddDays(3), Avon));
        await Replace(Wiltshire, Due("CC11CCC", "SR-4", today.AddDays(-9), Wiltshire));
        await Replace(Wiltshire, Due("DD11DDD", "SR-5", today.AddDays(2), Wiltshire)); // CC11CCC is no longer active

        var due = await _store.Markers.FindActiveMarkersAsync(reviewDueBy: today.AddDays(3));
        var plate = await _store.Markers.FindActiveMarkersAsync(vrm: "AA11AAA");
        Assert.Multiple(() =>
        {
            Assert.That(due.Select(m => m.SuspectRef), Is.EqualTo(new[] { "SR-1", "SR-3", "SR-5" }));
            Assert.That(plate.Select(m => m.SuspectRef), Is.EqualTo(new[] { "SR-1", "SR-2" }));
        });
    }

    [Test]
    public async Task A_delivered_alert_is_remembered_so_a_reprocessed_read_is_not_alerted_again()
    {
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 22, 15, 0, TimeSpan.Zero);
        var first = await _store.Hits.SaveHitsAsync([H("r-1", marker, t), H("r-2", marker, t.AddHours(1))], CancellationToken.None);
        Assert.That(first.Select(h => h.AlertDelivered), Has.All.False);

        await _store.Hits.MarkAlertsDeliveredAsync([first[0].HitId], t.AddMinutes(1), CancellationToken.None);
        var again = await _store.Hits.SaveHitsAsync([H("r-1", marker, t), H("r-2", marker, t.AddHours(1))], CancellationToken.None);
        Assert.That(again.Select(h => h.AlertDelivered), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public async Task A_batch_of_twenty_thousand_hits_is_stored_read_back_and_marked_delivered_within_the_sql_server_parameter_limit()
    {
        // 20,000 is the largest Kafka batch (Kafka:BatchSize default): every read in it a hit, far past SQL Server's 2,100
        // parameters per statement, which SQLite is held to as well.
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 22, 15, 0, TimeSpan.Zero);
        var hits = Enumerable.Range(0, 20_000).Select(i => H($"bulk-{i}", marker, t.AddSeconds(i))).ToList();

        var stored = await _store.Hits.SaveHitsAsync(hits, CancellationToken.None);
        Assert.That(stored.Select(h => h.HitId), Is.EqualTo(hits.Select(h => h.HitId)), "every hit comes back, in order");

        await _store.Hits.MarkAlertsDeliveredAsync(hits.Select(h => h.HitId).ToList(), t, CancellationToken.None);
        var again = await _store.Hits.SaveHitsAsync(hits, CancellationToken.None);
        Assert.That(again.Count(h => h.AlertDelivered), Is.EqualTo(20_000));
    }

    [Test]
    public async Task Every_field_of_a_hit_survives_the_bulk_insert()
    {
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 22, 15, 0, TimeSpan.FromHours(1));
        var full = H("r-full", marker, t) with
        {
            MatchKind = MatchKind.OcrEquivalent, Site = "A4 \"Bath Road\" / 'east' – É", Lat = -0.000123, Lon = 179.5, Direction = "N", Lane = "2",
            Confidence = 0.875, ReviewOverdue = true, PlateImageUrl = "https://img/p.jpg?a=1&b=2", OverviewImageUrl = "https://img/o.jpg",
            InForce = true, NotAlertedReason = NotAlertedReason.Suppressed, Contact = "desk\n01234",
        };
        var sparse = H("r-sparse", marker, t.AddMinutes(1)) with { Site = null, Lat = null, Lon = null, Operation = null, Action = null };

        var stored = await _store.Hits.SaveHitsAsync([full, sparse], CancellationToken.None);
        var queried = await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1)));
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo(new[] { full, sparse }));
            Assert.That(queried.Select(h => h with { Outcome = null }), Is.EqualTo(new[] { full, sparse }));
        });
    }

    [Test]
    public async Task The_same_hit_twice_in_one_batch_is_stored_once_and_returned_for_both()
    {
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 22, 15, 0, TimeSpan.Zero);
        var stored = await _store.Hits.SaveHitsAsync([H("r-twice", marker, t), H("r-other", marker, t), H("r-twice", marker, t)], CancellationToken.None);
        Assert.That(stored.Select(h => h.ReadId), Is.EqualTo(new[] { "r-twice", "r-other", "r-twice" }));
        var all = await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1)));
        Assert.That(all.Select(h => h.ReadId).Order(), Is.EqualTo(new[] { "r-other", "r-twice" }));
    }

    [Test]
    public async Task A_statement_over_the_sql_server_parameter_limit_fails_on_sqlite_too()
    {
        // The guard that makes the test above meaningful: without it SQLite takes 32,766 parameters and hides the bug.
        await using var connection = await _store.Database.OpenAsync();
        var ids = Enumerable.Range(0, 2101).Select(i => $"id-{i}").ToArray();
        var ex = Assert.CatchAsync(async () => await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {_store.Database.Table("hits")} WHERE hit_id IN @ids", new { ids }));
        Assert.That(ex!.Message, Does.Contain("too many").IgnoreCase.Or.Contain("parameters").IgnoreCase);
    }

    [Test]
    public async Task Last_alerted_looks_only_at_alerted_hits_of_the_same_marker_and_camera_force_in_the_window()
    {
        var marker = M("AB12CDE", "SR-1");
        var other = M("CD34EFG", "SR-2");
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await _store.Hits.SaveHitsAsync(
        [
            H("r-1", marker, t.AddMinutes(-20)),
            H("r-2", marker, t.AddMinutes(-10), NotAlertedReason.Stale),
            H("r-3", marker, t.AddMinutes(-5), camera: ForceRegistry.Get("dorset")),
            H("r-4", other, t.AddMinutes(-1)),
        ], CancellationToken.None);
        var last = await _store.Hits.LastAlertedAsync(marker.MarkerId, "wiltshire", t.AddMinutes(-15), t, "none", CancellationToken.None);
        var lastWide = await _store.Hits.LastAlertedAsync(marker.MarkerId, "wiltshire", t.AddMinutes(-30), t, "none", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(last, Is.Null);
            Assert.That(lastWide, Is.EqualTo(t.AddMinutes(-20)));
        });
    }

    [Test]
    public async Task Queries_filter_by_uk_period_force_and_vrm()
    {
        var a = M("AB12CDE", "SR-1");
        var b = M("CD34EFG", "SR-2", host: Wiltshire);
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await _store.Hits.SaveHitsAsync([H("r-1", a, t), H("r-2", b, t.AddDays(2), camera: ForceRegistry.Get("dorset")), H("r-3", a, t.AddDays(10))], CancellationToken.None);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(5)))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-2" }));
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(20), "dorset"))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-2" }));
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(20), Vrm: "AB12CDE"))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-3" }));
            Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(20), HostForces: ["wiltshire"]))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-2" }));
        });
    }

    [Test]
    public async Task A_force_filter_finds_hits_seen_in_the_force_and_hits_on_its_markers_seen_elsewhere()
    {
        // r-1: an Avon and Somerset marker seen by a Wiltshire camera. r-2: a Dorset marker seen by a Kent camera.
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await _store.Hits.SaveHitsAsync(
            [H("r-1", M("AB12CDE", "SR-1"), t), H("r-2", M("CD34EFG", "SR-2", host: ForceRegistry.Get("dorset")), t.AddHours(1), camera: ForceRegistry.Get("kent"))],
            CancellationToken.None);
        var expected = new Dictionary<string, string[]>
        {
            ["avon-and-somerset"] = ["r-1"], // host force side
            ["wiltshire"] = ["r-1"], // camera force side
            ["dorset"] = ["r-2"],
            ["kent"] = ["r-2"],
            ["devon-and-cornwall"] = [],
        };
        var actual = new Dictionary<string, string[]>();
        foreach (var force in expected.Keys)
        {
            actual[force] = (await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1), force))).Select(h => h.ReadId).ToArray();
        }

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public async Task Purge_deletes_old_hits_with_their_outcomes_and_keeps_the_outcomes_of_hits_it_keeps()
    {
        var marker = M("AB12CDE", "SR-1");
        var cut = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.FromHours(1));
        var saved = await _store.Hits.SaveHitsAsync([H("r-old", marker, cut.AddMinutes(-1)), H("r-kept", marker, cut)], CancellationToken.None);
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        await outcomes.RecordAsync(saved[0].HitId, "acknowledged", null, null, "ops", "control-room");
        await outcomes.RecordAsync(saved[1].HitId, "acknowledged", null, null, "ops", "control-room");
        await outcomes.RecordAsync(saved[1].HitId, "safeguarding", null, "child safeguarded", "ops", "control-room");

        Assert.That(await _store.Hits.PurgeAsync(cut, "dpo", _store.Audit, _store.Clock), Is.EqualTo(1));

        var kept = await _store.Hits.QueryAsync(new HitQuery(cut.AddDays(-30), cut.AddDays(30)));
        await using var connection = await _store.Database.OpenAsync();
        var outcomeRows = (await connection.QueryAsync<(string HitId, string Status)>($"SELECT hit_id, status FROM {_store.Database.Table("outcomes")} ORDER BY outcome_id")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(kept.Select(h => (h.ReadId, h.Outcome)), Is.EqualTo(new[] { ("r-kept", (string?)"safeguarding") }));
            Assert.That(outcomeRows, Is.EqualTo(new[] { (saved[1].HitId, "acknowledged"), (saved[1].HitId, "safeguarding") }), "the kept hit's outcome history is whole; the purged hit's is gone");
        });
    }

    [Test]
    public async Task Purge_records_one_erasure_saying_how_many_and_up_to_when()
    {
        var marker = M("AB12CDE", "SR-1");
        var cut = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        await _store.Hits.SaveHitsAsync([H("r-1", marker, cut.AddDays(-2)), H("r-2", marker, cut.AddDays(-1)), H("r-3", marker, cut)], CancellationToken.None);
        Assert.That(await _store.Hits.PurgeAsync(cut, "dpo", _store.Audit, _store.Clock), Is.EqualTo(2));
        var entries = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(entries.Select(e => (e.Action, e.Actor, e.Role, e.Subject)),
            Is.EqualTo(new[] { (AuditActions.Erase, "dpo", "system", "retention purge: 2 hits observed before 2026-05-01T00:00:00Z") }));
    }

    [Test]
    public async Task A_replacement_checked_against_a_version_that_is_no_longer_active_changes_nothing()
    {
        var first = new[] { M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2") };
        var second = new[] { M("EF56GHJ", "SR-3") };
        Assert.That(await _store.Markers.GetActiveVersionAsync(Avon.Code), Is.Zero, "no list yet");

        // Two bureau users check their files against "no list"; the first to commit wins.
        var v1 = await _store.Markers.ReplaceAsync(Avon, first, "user-a", "bureau", new string('a', 64), MarkerListDiff.Compute([], first), "import", expectedActiveVersion: 0);
        Assert.That(async () => await _store.Markers.ReplaceAsync(Avon, second, "user-b", "bureau", new string('b', 64), MarkerListDiff.Compute([], second), "import", expectedActiveVersion: 0),
            Throws.TypeOf<MarkerListChangedException>().With.Message.Contain("version 1 is now active").And.Message.Contain("nothing was changed"));

        Assert.Multiple(async () =>
        {
            Assert.That(v1.Version, Is.EqualTo(1));
            Assert.That(await _store.Markers.GetActiveVersionAsync(Avon.Code), Is.EqualTo(1));
            Assert.That((await _store.Markers.HistoryAsync(Avon.Code)).Select(v => (v.Version, v.LoadedBy)), Is.EqualTo(new[] { (1L, "user-a") }));
            Assert.That((await _store.Markers.GetActiveMarkersAsync(Avon.Code)).Select(m => m.Vrm).Order(), Is.EqualTo(new[] { "AB12CDE", "CD34EFG" }));
        });

        // Checked against the version that is active: accepted, as version 2.
        var v2 = await _store.Markers.ReplaceAsync(Avon, second, "user-b", "bureau", new string('b', 64), MarkerListDiff.Compute(first, second), "import", expectedActiveVersion: 1);
        Assert.That(v2.Version, Is.EqualTo(2));
    }

    [Test]
    public async Task A_batchs_alerted_hits_in_one_query_give_every_hit_the_same_suppression_answer_as_one_query_per_hit()
    {
        // The second implementation is the oracle: LastAlertedHitAsync, one query per hit, as the pipeline used to ask.
        var one = M("AB12CDE", "SR-1");
        var two = M("CD34EFG", "SR-2");
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var dorset = ForceRegistry.Get("dorset");
        var random = new Random(7);
        var hits = new List<Hit>();
        for (var i = 0; i < 60; i++)
        {
            var marker = i % 3 == 0 ? two : one;
            var reason = random.Next(3) == 0 ? NotAlertedReason.Suppressed : NotAlertedReason.None;
            hits.Add(H($"r-{i}", marker, t.AddMinutes(random.Next(0, 240)).AddSeconds(random.Next(2) * 30), reason, random.Next(2) == 0 ? Wiltshire : dorset));
        }

        await _store.Hits.SaveHitsAsync(hits, CancellationToken.None);
        var all = await _store.Hits.AlertedHitsAsync([one.MarkerId, two.MarkerId], t.AddHours(-1), t.AddHours(5), CancellationToken.None);
        foreach (var probe in hits)
        {
            var from = probe.ObservedAt.AddMinutes(-15);
            var expected = await _store.Hits.LastAlertedHitAsync(probe.MarkerId, probe.CameraForce.Code, from, probe.ObservedAt, probe.HitId, CancellationToken.None);
            var actual = all.Where(a => a.MarkerId == probe.MarkerId && a.CameraForce == probe.CameraForce.Code && a.Hit.HitId != probe.HitId
                                        && a.Hit.ObservedAt >= from && a.Hit.ObservedAt <= probe.ObservedAt)
                .OrderByDescending(a => a.Hit.ObservedAt).ThenByDescending(a => a.Hit.HitId, StringComparer.Ordinal).Select(a => a.Hit).FirstOrDefault();
            Assert.That(actual, Is.EqualTo(expected), probe.ReadId);
        }

        Assert.That(all.Select(a => a.Hit.HitId).Order(), Is.EqualTo(hits.Where(h => h.Alerted).Select(h => h.HitId).Order()), "every alerted hit in the period, none other");
    }

    [Test]
    public async Task Purge_of_more_hits_than_one_chunk_deletes_every_old_one_keeps_the_rest_and_audits_once()
    {
        var marker = M("AB12CDE", "SR-1");
        var cut = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        const int old = 2_500; // two and a half chunks of 1,000
        await _store.Hits.SaveHitsAsync([.. Enumerable.Range(0, old).Select(i => H($"old-{i}", marker, cut.AddSeconds(-1 - i)))], CancellationToken.None);
        await _store.Hits.SaveHitsAsync([H("kept-1", marker, cut), H("kept-2", marker, cut.AddDays(1))], CancellationToken.None);

        Assert.That(await _store.Hits.PurgeAsync(cut, "dpo", _store.Audit, _store.Clock), Is.EqualTo(old));
        var left = await _store.Hits.QueryAsync(new HitQuery(cut.AddDays(-30), cut.AddDays(30)));
        var entries = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.Multiple(() =>
        {
            Assert.That(left.Select(h => h.ReadId), Is.EqualTo(new[] { "kept-1", "kept-2" }));
            Assert.That(entries.Select(e => e.Subject), Is.EqualTo(new[] { "retention purge: 2500 hits observed before 2026-05-01T00:00:00Z" }));
        });
    }

    [Test]
    public async Task A_daily_task_is_claimed_by_the_first_instance_only_and_again_the_next_day()
    {
        var runs = new AnprWatch.Storage.Housekeeping.HousekeepingRuns(_store.Database);
        var day = new DateOnly(2026, 11, 30);
        var at = _store.Clock.Now;
        Assert.Multiple(async () =>
        {
            Assert.That(await runs.TryClaimAsync("retention-purge", day, "pod-a", at), Is.True, "first on the day");
            Assert.That(await runs.TryClaimAsync("retention-purge", day, "pod-b", at), Is.False, "another replica, same day");
            Assert.That(await runs.TryClaimAsync("retention-purge", day, "pod-a", at), Is.False, "the same one again, same day");
            Assert.That(await runs.TryClaimAsync("another-task", day, "pod-b", at), Is.True, "another task");
            Assert.That(await runs.TryClaimAsync("retention-purge", day.AddDays(1), "pod-b", at), Is.True, "the next day");
        });
    }

    [Test]
    public async Task Queries_return_hits_in_observation_order_whatever_order_they_were_stored_in()
    {
        var marker = M("AB12CDE", "SR-1");
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await _store.Hits.SaveHitsAsync([H("r-late", marker, t.AddHours(2))], CancellationToken.None);
        await _store.Hits.SaveHitsAsync([H("r-early", marker, t), H("r-middle", marker, t.AddHours(1))], CancellationToken.None);
        Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1)))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-early", "r-middle", "r-late" }));
        Assert.That((await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1), HostForces: []))).Select(h => h.ReadId), Is.EqualTo(new[] { "r-early", "r-middle", "r-late" }), "an empty host-force list means every force");
    }

    [Test]
    public async Task Every_outcome_status_is_recorded_with_an_audit_entry_and_notes_are_at_most_2000_characters()
    {
        var saved = (await _store.Hits.SaveHitsAsync([H("r-1", M("AB12CDE", "SR-1"), new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero))], CancellationToken.None)).Single();
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        string[] statuses = ["acknowledged", "dispatched", "no-trace", "stopped", "disruption", "safeguarding", "false-hit"];
        foreach (var status in statuses)
        {
            Assert.That((await outcomes.RecordAsync(saved.HitId, status, status is "no-trace" or "false-hit" ? "misread" : null, null, "ops", "control-room"))!.Status, Is.EqualTo(status));
        }

        Assert.That(await outcomes.RecordAsync(saved.HitId, "acknowledged", null, new string('n', 2000), "ops", "control-room"), Is.Not.Null);
        Assert.That(async () => await outcomes.RecordAsync(saved.HitId, "acknowledged", null, new string('n', 2001), "ops", "control-room"), Throws.ArgumentException);
        Assert.That(async () => await outcomes.RecordAsync(saved.HitId, "arrested", null, null, "ops", "control-room"), Throws.ArgumentException);
        Assert.That(await outcomes.RecordAsync("h-missing", "acknowledged", null, null, "ops", "control-room"), Is.Null);

        var audit = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(audit.Select(e => (e.Action, e.Actor, e.Role, e.Subject)).Take(statuses.Length),
            Is.EqualTo(statuses.Select(s => (AuditActions.Alter, "ops", "control-room", s is "no-trace" or "false-hit" ? $"outcome {s} (misread) on hit {saved.HitId}" : $"outcome {s} on hit {saved.HitId}"))));
    }

    [Test]
    public async Task False_hit_and_no_trace_need_a_reason_code_and_the_history_and_change_cursor_return_every_outcome_with_it()
    {
        var saved = (await _store.Hits.SaveHitsAsync([H("r-why", M("AB12CDE", "SR-1"), new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero))], CancellationToken.None)).Single();
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        var before = _store.Clock.Now;

        // Refused, each naming its field (the API turns these into a 400 problem with that field).
        Assert.That(async () => await outcomes.RecordAsync(saved.HitId, "false-hit", null, null, "ops", "control-room"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("reason").And.Message.Contains("reason is required for false-hit"));
        Assert.That(async () => await outcomes.RecordAsync(saved.HitId, "no-trace", "lost", null, "ops", "control-room"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("reason"));
        Assert.That(async () => await outcomes.RecordAsync(saved.HitId, "stopped", "misread", null, "ops", "control-room"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("reason"));

        string[] reasons = ["misread", "cloned-plate", "marker-out-of-date", "vehicle-no-longer-linked", "other"];
        await outcomes.RecordAsync(saved.HitId, "acknowledged", null, null, "desk-1", "control-room");
        foreach (var reason in reasons)
        {
            await outcomes.RecordAsync(saved.HitId, "false-hit", reason, "why: " + reason, "desk-2", "control-room");
        }

        var expected = new[] { ("acknowledged", (string?)null, "desk-1") }.Concat(reasons.Select(r => ("false-hit", (string?)r, "desk-2"))).ToList();
        var history = (await outcomes.HistoryAsync([saved.HitId, "h-missing"]))[saved.HitId];
        Assert.That(history.Select(o => (o.Status, o.Reason, o.RecordedBy)), Is.EqualTo(expected), "the full history, oldest first, with reasons");
        Assert.That(history.Select(o => o.CameraForce).Distinct(), Is.EqualTo(new[] { saved.CameraForce.Code }));
        var changed = await outcomes.RecordedSinceAsync(before, 100);
        Assert.That(changed.Where(o => o.HitId == saved.HitId).Select(o => (o.Status, o.Reason, o.RecordedBy)), Is.EqualTo(expected));
        Assert.That(await outcomes.RecordedSinceAsync(before.AddMinutes(1), 100), Is.Empty, "nothing recorded after the cursor");

        // The purge removes the reasons with their outcomes.
        Assert.That(await _store.Hits.PurgeAsync(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), "dpo", _store.Audit, _store.Clock), Is.GreaterThanOrEqualTo(1));
        Assert.That(await outcomes.HistoryAsync([saved.HitId]), Is.Empty);
    }

    [Test]
    public async Task A_list_holding_another_forces_marker_is_refused_and_optional_fields_round_trip()
    {
        Assert.That(async () => await Replace(Avon, M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2", host: Wiltshire)), Throws.ArgumentException);
        Assert.That(await _store.Markers.GetActiveMarkersAsync(), Is.Empty);

        var full = new Marker("EF56GHI", "SR-3", RiskLevel.Medium, Avon, new DateOnly(2027, 2, 1), new DateOnly(2027, 3, 1), "RAILCAR", "notify", "RIU 0117", "ACT");
        var bare = new Marker("GH78IJK", "SR-4", RiskLevel.High, Avon, new DateOnly(2027, 2, 1), null, null, null, null, "ACT");
        await Replace(Avon, full, bare);
        var stored = (await _store.Markers.GetActiveMarkersAsync(Avon.Code)).OrderBy(m => m.Vrm).ToList();
        Assert.That(stored.Select(m => (m.Vrm, m.Expires, m.Operation, m.Action, m.Contact)),
            Is.EqualTo(new[] { ("EF56GHI", (DateOnly?)new DateOnly(2027, 3, 1), (string?)"RAILCAR", (string?)"notify", (string?)"RIU 0117"), ("GH78IJK", null, null, null, null) }));
    }

    [Test]
    public async Task A_keys_scope_is_stored_found_and_listed_and_keys_from_before_scopes_are_national()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        var london = await keys.CreateAsync("desk-london", "control-room", KeyScope.Resolve(["kent"], "london"), "admin-1");
        var found = await keys.FindAsync(london);
        Assert.That((found!.Scope.Forces, found.Scope.Region, found.Scope.Label),
            Is.EqualTo((new[] { "kent", "city-of-london", "metropolitan" }, "London", "region London + kent")), "forces in force-table order");
        Assert.That(async () => await keys.CreateAsync("admin-kent", "admin", KeyScope.Resolve(["kent"], null), "admin-1"), Throws.ArgumentException);
        Assert.That(() => KeyScope.Resolve(["narnia"], null), Throws.ArgumentException.With.Message.Contains("'narnia'"));
        Assert.That(() => KeyScope.Resolve([], "Atlantis"), Throws.ArgumentException.With.Message.Contains("'Atlantis'"));

        // A key written as a release before scopes would write it: no details row. It is found, listed and national.
        await using (var connection = await _store.Database.OpenAsync())
        {
            await connection.ExecuteAsync($"INSERT INTO {_store.Database.Table("api_keys")} (name, role, key_hash, created_at_ms) VALUES ('old-desk', 'control-room', @hash, 0)",
                new { hash = new string('a', 64) });
        }

        var listed = (await keys.ListAsync()).ToDictionary(k => k.Name);
        Assert.That(listed["old-desk"].Scope.IsNational, Is.True);
        Assert.That(listed["desk-london"].LastUsedAt, Is.Null);
        await keys.TouchAsync("desk-london");
        Assert.That((await keys.ListAsync()).Single(k => k.Name == "desk-london").LastUsedAt, Is.EqualTo(_store.Clock.Now));
    }

    [Test]
    public async Task Api_keys_are_found_by_the_key_until_revoked_and_every_change_is_audited()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        var key = await keys.CreateAsync("desk-1", "control-room", "admin-1");
        Assert.That(key, Does.StartWith("aw_").And.Length.EqualTo(46));
        Assert.That(await keys.FindAsync(key), Is.EqualTo(new ApiKeyIdentity("desk-1", "control-room", KeyScope.National)));
        Assert.That(await keys.FindAsync(key[..^1] + (key[^1] == 'A' ? 'B' : 'A')), Is.Null);
        Assert.That(await keys.FindAsync(key[3..]), Is.Null, "the prefix is required");
        Assert.That(async () => await keys.CreateAsync("desk-1", "analyst", "admin-1"), Throws.ArgumentException, "names are never reused");
        Assert.That(async () => await keys.CreateAsync("desk-2", "superuser", "admin-1"), Throws.ArgumentException);
        Assert.That(async () => await keys.CreateAsync(" ", "analyst", "admin-1"), Throws.ArgumentException);
        Assert.That(async () => await keys.CreateAsync(new string('k', 129), "analyst", "admin-1"), Throws.ArgumentException);
        Assert.That(await keys.CreateAsync(new string('k', 128), "analyst", "admin-1"), Does.StartWith("aw_"));

        Assert.That(await keys.RevokeAsync("desk-1", "admin-2"), Is.True);
        Assert.That(await keys.RevokeAsync("desk-1", "admin-2"), Is.False, "already revoked");
        Assert.That(await keys.FindAsync(key), Is.Null);
        var list = await keys.ListAsync();
        Assert.That(list.Select(k => (k.Name, k.Role, k.RevokedAt is not null)), Is.EqualTo(new[] { ("desk-1", "control-room", true), (new string('k', 128), "analyst", false) }));
        Assert.That(list[0].CreatedAt, Is.EqualTo(_store.Clock.Now));

        var audit = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(audit.Select(e => (e.Actor, e.Subject)), Is.EqualTo(new[]
        {
            ("admin-1", "api key desk-1 (control-room, national) created"), ("admin-1", $"api key {new string('k', 128)} (analyst, national) created"), ("admin-2", "api key desk-1 revoked"),
        }));
        Assert.That(string.Join("|", audit.Select(e => e.Subject)), Does.Not.Contain(key[3..]), "the key itself is never logged");
    }

    [Test]
    public async Task Every_version_of_a_list_stays_readable_with_its_history_per_force()
    {
        await Replace(Avon, M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2"));
        await Replace(Avon, M("CD34EFG", "SR-2"), M("EF56GHI", "SR-3"));
        await Replace(Wiltshire, M("AB12CDE", "SR-9", host: Wiltshire));

        Assert.Multiple(async () =>
        {
            Assert.That((await _store.Markers.GetVersionMarkersAsync(Avon.Code, 1))!.Select(m => m.Vrm), Is.EqualTo(new[] { "AB12CDE", "CD34EFG" }));
            Assert.That((await _store.Markers.GetVersionMarkersAsync(Avon.Code, 2))!.Select(m => m.Vrm), Is.EqualTo(new[] { "CD34EFG", "EF56GHI" }));
            Assert.That(await _store.Markers.GetVersionMarkersAsync(Avon.Code, 3), Is.Null);
            Assert.That(await _store.Markers.GetVersionMarkersAsync("dorset", 1), Is.Null);
            Assert.That((await _store.Markers.VersionsContainingAsync("AB12CDE")).Select(v => (v.ForceCode, v.Version)), Is.EqualTo(new[] { ("wiltshire", 1L), ("avon-and-somerset", 1L) }));
            Assert.That((await _store.Markers.HistoryAsync(Avon.Code)).Select(v => (v.Version, v.IsActive, v.MarkerCount, v.Added, v.Removed)),
                Is.EqualTo(new[] { (1L, false, 2L, 2L, 0L), (2L, true, 2L, 1L, 1L) }));
            Assert.That((await _store.Markers.HistoryAsync()).Select(v => (v.ForceCode, v.Version)), Is.EqualTo(new[] { ("avon-and-somerset", 1L), ("avon-and-somerset", 2L), ("wiltshire", 1L) }));
        });
    }

    [Test]
    public async Task The_alert_feed_returns_alerted_hits_after_a_cursor_for_a_force_on_either_side()
    {
        var marker = M("AB12CDE", "SR-1"); // Avon and Somerset
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var saved = await _store.Hits.SaveHitsAsync(
        [
            H("r-1", marker, t), H("r-2", marker, t.AddMinutes(1), NotAlertedReason.Suppressed), H("r-3", marker, t.AddMinutes(20), camera: ForceRegistry.Get("dorset")),
            H("r-4", marker, t.AddMinutes(40)),
        ], CancellationToken.None);
        var all = await _store.Hits.AlertedAfterAsync(0, "", null, 10);
        Assert.That(all.Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-3", "r-4" }), "alerted only, oldest recorded first");
        var afterFirst = await _store.Hits.AlertedAfterAsync(all[0].RecordedAt.ToUnixTimeMilliseconds(), all[0].HitId, null, 10);
        Assert.That(afterFirst.Select(h => h.ReadId), Is.EqualTo(new[] { "r-3", "r-4" }));
        Assert.That((await _store.Hits.AlertedAfterAsync(0, "", null, 2)).Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-3" }), "limit");
        Assert.That((await _store.Hits.AlertedAfterAsync(0, "", "dorset", 10)).Select(h => h.ReadId), Is.EqualTo(new[] { "r-3" }), "camera force side");
        Assert.That((await _store.Hits.AlertedAfterAsync(0, "", "avon-and-somerset", 10)).Select(h => h.ReadId), Is.EqualTo(new[] { "r-1", "r-3", "r-4" }), "host force side");
        Assert.That(await _store.Hits.AlertedAfterAsync(0, "", "kent", 10), Is.Empty);
        Assert.That(saved, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task A_migrated_store_is_reachable_and_the_first_migration_lists_every_script()
    {
        Assert.That(await _store.Database.IsReachableAsync(CancellationToken.None), Is.True);
        if (dialect != "sqlite")
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("anprwatch-store-").FullName;
        try
        {
            // A database in a folder that does not exist yet: the folder is created and the store starts in WAL mode.
            var database = new Database(new Dialects.SqliteDialect($"Data Source={Path.Combine(directory, "new", "fresh.db")}"));
            Assert.That(await database.IsReachableAsync(CancellationToken.None), Is.False, "no schema yet");
            Assert.That(await new MigrationRunner(database, _store.Clock).MigrateAsync(), Is.EqualTo(new[] { "0001_initial.sql", "0002_alert_delivery.sql", "0003_store_identity.sql", "0004_hot_lookup_indexes.sql", "0100_web_sessions.sql", "0101_audit_chain.sql", "0102_data_protection_keys.sql", "0200_notify_outbox.sql", "0210_outcome_reasons.sql", "0220_clones_and_confirmations.sql", "0230_hit_location_ref.sql", "0231_locations.sql", "0240_api_key_scope.sql", "0250_housekeeping_runs.sql", "0260_marker_imported_review_due.sql" }));
            Assert.That(await database.IsReachableAsync(CancellationToken.None), Is.True);
            await using var connection = await database.OpenAsync();
            Assert.That(await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
            Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"), Is.EqualTo(1));

            // 0240 gives keys made before scopes a national details row, and is safe to apply again.
            await connection.ExecuteAsync("INSERT INTO api_keys (name, role, key_hash, created_at_ms) VALUES ('before-scopes', 'bureau', 'h', 0)");
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 240");
            Assert.That(await new MigrationRunner(database, _store.Clock).MigrateAsync(), Is.EqualTo(new[] { "0240_api_key_scope.sql" }));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_key_details WHERE key_name = 'before-scopes' AND scope_forces IS NULL"), Is.EqualTo(1));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Sql_injection_strings_are_just_values()
    {
        const string evil = "x'; DROP TABLE hits; --";
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.That(await _store.Hits.QueryAsync(new HitQuery(t, t.AddDays(1), evil, evil)), Is.Empty);
        Assert.That(await _store.Markers.GetActiveMarkersAsync(evil), Is.Empty);
        Assert.That(await _store.Hits.QueryAsync(new HitQuery(t, t.AddDays(1))), Is.Empty, "the hits table still exists");
    }
}
