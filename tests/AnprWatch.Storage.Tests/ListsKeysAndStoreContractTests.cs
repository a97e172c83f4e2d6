using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Locations;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Notifications;
using Dapper;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// Behaviour of the list stores, keys, the outbox lease and the store's own probes that a user would notice, on
/// SQLite (several look at the SQLite file itself). Every expected answer is written out here.
/// </summary>
public class ListsKeysAndStoreContractTests
{
    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");
    private static readonly Force Dorset = ForceRegistry.Get("dorset");
    private static readonly Force Kent = ForceRegistry.Get("kent");
    private static readonly DateTimeOffset T = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private StoreFixture _store = null!;
    private string _scratch = null!;

    [SetUp]
    public async Task SetUp()
    {
        _store = await StoreFixture.CreateAsync("sqlite");
        _scratch = Directory.CreateTempSubdirectory("anprwatch-scratch-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    private static Marker M(string vrm, string suspect, Force host) => new(vrm, suspect, RiskLevel.High, host, new DateOnly(2027, 1, 1), null, null, null, null, "ACT");

    private Task<MarkerListVersion> LoadMarkersAsync(Force force, params Marker[] markers)
        => _store.Markers.ReplaceAsync(force, markers, "tester", "bureau", new string('a', 64), MarkerListDiff.Compute([], markers), "import");

    private static Location L(string reference, Force force)
        => new(reference, "Car park, " + reference, 50.712345, -2.301234, 250, RiskLevel.High, force, new DateOnly(2027, 1, 31), null, null);

    private static Hit H(string hitId, DateTimeOffset observedAt)
    {
        var marker = M("AB12CDE", "SR-1", Avon);
        return new Hit
        {
            HitId = hitId, AlertId = "a-" + hitId[2..], ReadId = "r-" + hitId[2..], MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
            MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM", CameraForce = Wiltshire, HostForce = Avon,
            Risk = RiskLevel.High, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false, RecordedAt = observedAt,
        };
    }

    // ---- marker lists

    [Test]
    public async Task Streaming_one_forces_active_markers_gives_that_force_only_and_streaming_all_gives_every_force()
    {
        await LoadMarkersAsync(Avon, M("AB12CDE", "SR-1", Avon), M("CD34EFG", "SR-2", Avon));
        await LoadMarkersAsync(Wiltshire, M("WW11WWW", "SR-W", Wiltshire));

        var wiltshire = new List<string>();
        await foreach (var marker in _store.Markers.StreamActiveMarkersAsync("wiltshire"))
        {
            wiltshire.Add(marker.Vrm);
        }

        var all = new List<string>();
        await foreach (var marker in _store.Markers.StreamActiveMarkersAsync())
        {
            all.Add(marker.Vrm);
        }

        Assert.That(wiltshire, Is.EqualTo(new[] { "WW11WWW" }));
        Assert.That(all, Is.EquivalentTo(new[] { "AB12CDE", "CD34EFG", "WW11WWW" }));
    }

    [Test]
    public async Task Marker_list_history_is_per_force_then_version_whatever_order_the_forces_loaded_in_and_a_new_version_is_returned_active()
    {
        var first = await LoadMarkersAsync(Avon, M("AB12CDE", "SR-1", Avon));
        await LoadMarkersAsync(Wiltshire, M("WW11WWW", "SR-W", Wiltshire));
        await LoadMarkersAsync(Avon, M("CD34EFG", "SR-2", Avon));

        Assert.That(first.IsActive, Is.True, "the version just loaded is the active one");
        Assert.That((await _store.Markers.HistoryAsync()).Select(v => (v.ForceCode, v.Version, v.IsActive)),
            Is.EqualTo(new[] { ("avon-and-somerset", 1L, false), ("avon-and-somerset", 2L, true), ("wiltshire", 1L, true) }));
        Assert.That((await _store.Markers.HistoryAsync("wiltshire")).Select(v => (v.ForceCode, v.Version)), Is.EqualTo(new[] { ("wiltshire", 1L) }));
    }

    [Test]
    public async Task The_markers_active_before_an_instant_are_each_forces_last_version_loaded_before_it()
    {
        _store.Clock.Now = T;
        await LoadMarkersAsync(Avon, M("AB12CDE", "SR-1", Avon));
        _store.Clock.Now = T.AddDays(1);
        await LoadMarkersAsync(Wiltshire, M("WW11WWW", "SR-W", Wiltshire));
        _store.Clock.Now = T.AddDays(2);
        await LoadMarkersAsync(Avon, M("CD34EFG", "SR-2", Avon));

        async Task<string[]> VrmsBefore(DateTimeOffset before, IReadOnlyCollection<string>? forces = null)
            => (await _store.Markers.GetMarkersActiveBeforeAsync(before, forces)).Select(m => m.Vrm).Order(StringComparer.Ordinal).ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await VrmsBefore(T), Is.Empty, "nothing was loaded before the first list");
            Assert.That(await VrmsBefore(T.AddDays(1)), Is.EqualTo(new[] { "AB12CDE" }), "Wiltshire's list was loaded at that instant, not before it");
            Assert.That(await VrmsBefore(T.AddDays(2)), Is.EqualTo(new[] { "AB12CDE", "WW11WWW" }), "Avon and Somerset's version 2 came later");
            Assert.That(await VrmsBefore(T.AddDays(2).AddMilliseconds(1)), Is.EqualTo(new[] { "CD34EFG", "WW11WWW" }), "the latest version, not the first");
            Assert.That(await VrmsBefore(T.AddDays(3), ["wiltshire"]), Is.EqualTo(new[] { "WW11WWW" }), "only the forces asked for");
        });
    }

    // ---- location lists

    [Test]
    public async Task A_location_list_holding_another_forces_location_is_refused_and_an_empty_list_is_accepted()
    {
        var locations = new LocationListStore(_store.Database, _store.Audit, _store.Clock);
        Location[] mixed = [L("LOC-1", Dorset), L("LOC-K", Kent)];
        Assert.That(async () => await locations.ReplaceAsync(Dorset, mixed, "tester", "bureau", new string('b', 64), LocationListDiff.Compute([], mixed), "import"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("locations"));
        Assert.That(await locations.HistoryAsync(), Is.Empty, "nothing was loaded");

        var cleared = await locations.ReplaceAsync(Dorset, [], "tester", "bureau", new string('b', 64), LocationListDiff.Compute([], []), "import");
        Assert.That((cleared.Version, cleared.LocationCount, cleared.IsActive), Is.EqualTo((1L, 0L, true)));
        Assert.That(await locations.GetActiveAsync(Dorset.Code), Is.Empty);
    }

    [Test]
    public async Task Location_list_history_is_per_force_then_version_and_every_load_is_audited_with_what_changed()
    {
        var locations = new LocationListStore(_store.Database, _store.Audit, _store.Clock);
        Location[] first = [L("LOC-1", Dorset), L("LOC-2", Dorset)];
        Location[] kent = [L("LOC-K", Kent)];
        Location[] second = [L("LOC-2", Dorset)];
        var v1 = await locations.ReplaceAsync(Dorset, first, "tester", "bureau", new string('b', 64), LocationListDiff.Compute([], first), "import");
        await locations.ReplaceAsync(Kent, kent, "tester", "bureau", new string('c', 64), LocationListDiff.Compute([], kent), "import");
        await locations.ReplaceAsync(Dorset, second, "tester", "bureau", new string('d', 64), LocationListDiff.Compute(first, second), "rollback");

        Assert.That(v1.IsActive, Is.True);
        Assert.That((await locations.HistoryAsync()).Select(v => (v.ForceCode, v.Version, v.IsActive)),
            Is.EqualTo(new[] { ("dorset", 1L, false), ("dorset", 2L, true), ("kent", 1L, true) }));
        Assert.That((await locations.HistoryAsync("kent")).Select(v => (v.ForceCode, v.Version)), Is.EqualTo(new[] { ("kent", 1L) }));

        var audit = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(audit.Select(e => (e.Action, e.Actor, e.Subject, e.Detail)), Is.EqualTo(new[]
        {
            (AuditActions.Collect, "tester", "location list dorset v1", (string?)("import: 2 locations, +2 -0 ~0, sha256 " + new string('b', 64))),
            (AuditActions.Collect, "tester", "location list kent v1", "import: 1 locations, +1 -0 ~0, sha256 " + new string('c', 64)),
            (AuditActions.Collect, "tester", "location list dorset v2", "rollback: 1 locations, +0 -1 ~0, sha256 " + new string('d', 64)),
        }));
    }

    // ---- keys

    [Test]
    public async Task Revoking_a_key_that_does_not_exist_changes_nothing_and_is_not_audited()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        Assert.That(await keys.RevokeAsync("no-such-key", "admin-1"), Is.False);
        Assert.That(await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1)), Is.Empty);
    }

    [Test]
    public void A_scope_label_names_every_force_beyond_its_region_and_every_force_of_a_plain_list()
    {
        Assert.That(KeyScope.Resolve(["dorset", "kent"], null).Label, Is.EqualTo("kent + dorset"), "force-table order");
        Assert.That(KeyScope.Resolve(["dorset", "kent"], "london").Label, Is.EqualTo("region London + kent + dorset"));
    }

    [Test]
    public void An_unknown_region_is_refused_naming_every_region_there_is()
        => Assert.That(() => KeyScope.Resolve([], "Atlantis"), Throws.ArgumentException.With.Message.StartsWith(
            "--region 'Atlantis' is not one of: North East, North West, Yorkshire and the Humber, East Midlands, West Midlands, Eastern, South East, South West, Wales, London, National"));

    [Test]
    public void A_stored_scope_written_with_spaces_after_its_commas_keeps_every_force()
        => Assert.That(KeyScope.FromStored("kent, dorset", null).Forces, Is.EqualTo(new[] { "kent", "dorset" }));

    [Test]
    public async Task Data_protection_keys_added_by_one_instance_are_read_by_another_in_the_order_added()
    {
        new DataProtectionKeyStore(_store.Database, _store.Clock).Add("key-1", "<key id=\"1\"/>");
        new DataProtectionKeyStore(_store.Database, _store.Clock).Add("key-2", "<key id=\"2\"/>");
        Assert.That(new DataProtectionKeyStore(_store.Database, _store.Clock).All(), Is.EqualTo(new[] { "<key id=\"1\"/>", "<key id=\"2\"/>" }));
        await Task.CompletedTask;
    }

    // ---- outbox lease

    [Test]
    public async Task A_sender_claiming_again_while_it_holds_its_lease_is_not_handed_the_same_notification_twice()
    {
        await _store.Hits.SaveHitsAsync([H("h-1", T)], CancellationToken.None);
        var outbox = new OutboxStore(_store.Database);
        var entry = new OutboxEntry("a-1", "h-1", "webhook", "https://hooks.example/riu", "high", "{}");
        await using (var connection = await _store.Database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await outbox.EnqueueAsync(connection, transaction, [entry], T, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.That((await outbox.ClaimDueAsync("pod-a", T, T.AddMinutes(1), 10)).Select(r => r.HitId), Is.EqualTo(new[] { "h-1" }));
        Assert.That(await outbox.ClaimDueAsync("pod-a", T.AddSeconds(5), T.AddMinutes(1), 10), Is.Empty, "still leased to pod-a and in flight");
    }

    [Test]
    public async Task Two_senders_whose_names_share_their_first_64_characters_never_settle_each_others_rows()
    {
        await _store.Hits.SaveHitsAsync([H("h-1", T)], CancellationToken.None);
        var outbox = new OutboxStore(_store.Database);
        var entry = new OutboxEntry("a-1", "h-1", "webhook", "https://hooks.example/riu", "high", "{}");
        await using (var connection = await _store.Database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await outbox.EnqueueAsync(connection, transaction, [entry], T, CancellationToken.None);
            await transaction.CommitAsync();
        }

        var podA = new string('p', 64) + "-a";
        var podB = new string('p', 64) + "-b";
        Assert.That(await outbox.ClaimDueAsync(podA, T, T.AddMinutes(1), 10), Has.Count.EqualTo(1));
        Assert.That(await outbox.MarkDeliveredAsync(entry.DeliveryId, podB, T.AddSeconds(1)), Is.False, "pod-b holds no lease");
        Assert.That(await outbox.MarkDeliveredAsync(entry.DeliveryId, podA, T.AddSeconds(1)), Is.True);
    }

    // ---- the store's own probes

    [Test]
    public async Task The_store_guard_finds_a_stored_hit_and_not_one_never_stored()
    {
        await _store.Hits.SaveHitsAsync([H("h-1", T)], CancellationToken.None);
        Assert.That(await _store.Database.HitExistsAsync("h-1", CancellationToken.None), Is.True);
        Assert.That(await _store.Database.HitExistsAsync("h-2", CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_migrated_store_reads_back_its_identity_and_an_empty_or_missing_database_has_none()
    {
        string written;
        await using (var connection = await _store.Database.OpenAsync())
        {
            written = await connection.ExecuteScalarAsync<string>("SELECT store_id FROM store_identity") ?? "";
        }

        Assert.That(written, Is.Not.Empty);
        Assert.That(await _store.Database.ReadStoreIdAsync(CancellationToken.None), Is.EqualTo(written));

        var emptyPath = Path.Combine(_scratch, "empty.db");
        await using (var create = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={emptyPath}"))
        {
            await create.OpenAsync();
            await create.ExecuteAsync("CREATE TABLE unrelated (x INTEGER)");
        }

        Assert.That(await new Database(new SqliteDialect($"Data Source={emptyPath}")).ReadStoreIdAsync(CancellationToken.None), Is.Null, "a database without AnprWatch's schema");
        Assert.That(await new Database(new SqliteDialect($"Data Source={Path.Combine(_scratch, "missing.db")}")).ReadStoreIdAsync(CancellationToken.None), Is.Null, "no file at all");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Test]
    public async Task A_store_file_deleted_under_the_service_reads_as_unreachable_and_the_probe_never_recreates_it()
    {
        var path = Path.Combine(_scratch, "store.db");
        var database = new Database(new SqliteDialect($"Data Source={path}"));
        await new Migrations.MigrationRunner(database, _store.Clock).MigrateAsync();
        Assert.That(await database.IsReachableAsync(CancellationToken.None), Is.True);

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the service's own pooled connections would be closed by its guard
        Assert.That(await database.IsReachableAsync(CancellationToken.None), Is.True);
        File.Delete(path);
        Assert.That(await database.IsReachableAsync(CancellationToken.None), Is.False);
        Assert.That(File.Exists(path), Is.False, "the probe opened the path without creating it");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Test]
    public void Opening_a_store_that_cannot_be_opened_fails_with_the_database_error()
    {
        var database = new Database(new SqliteDialect($"Data Source={Path.Combine(_scratch, "no-such-directory", "store.db")}"));
        Assert.That(async () => await database.OpenAsync(), Throws.InstanceOf<System.Data.Common.DbException>());
    }

    [Test]
    public void A_configuration_that_names_no_provider_uses_sqlite_at_the_default_path()
    {
        var dialect = SqlDialect.For(new StorageOptions());
        Assert.That((dialect.Name, ((SqliteDialect)dialect).DataSource), Is.EqualTo(("sqlite", "data/anprwatch.db")));
    }

    // ---- hits

    [Test]
    public async Task A_confirmation_keeps_the_utc_offset_of_the_read_that_confirmed_it()
    {
        var misread = H("h-1", T) with { MatchKind = MatchKind.OcrEquivalent };
        var confirmedAt = new DateTimeOffset(2026, 6, 1, 13, 5, 0, TimeSpan.FromHours(1));
        await _store.Hits.SaveHitsAsync([misread, H("h-2", confirmedAt) with { NotAlertedReason = NotAlertedReason.Suppressed, ConfirmsHitId = "h-1" }], CancellationToken.None);
        var stored = (await _store.Hits.UndeliveredConfirmationsAsync(["h-1"], CancellationToken.None)).Single();
        Assert.That((stored.ConfirmedAt, stored.ConfirmedAt!.Value.Offset), Is.EqualTo(((DateTimeOffset?)new DateTimeOffset(2026, 6, 1, 13, 5, 0, TimeSpan.FromHours(1)), TimeSpan.FromHours(1))));
    }
}
