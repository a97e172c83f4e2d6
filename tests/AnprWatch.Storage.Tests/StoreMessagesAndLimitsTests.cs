using System.Security.Cryptography;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;
using AnprWatch.Storage.Notifications;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Storage.Tests;

/// <summary>
/// What a user of the stores sees when something is refused (the exact messages, which the CLI and API pass on), and the
/// limits and settings the stores promise: the expected answers are literal here, never read from the code under test.
/// </summary>
public class StoreMessagesAndLimitsTests
{
    private static readonly Force Avon = ForceRegistry.Get("avon-and-somerset");
    private static readonly Force Wiltshire = ForceRegistry.Get("wiltshire");
    private StoreFixture _store = null!;

    [SetUp]
    public async Task SetUp() => _store = await StoreFixture.CreateAsync("sqlite");

    [TearDown]
    public async Task TearDown() => await _store.DisposeAsync();

    private static Marker M(string vrm, string suspect, Force? host = null)
        => new(vrm, suspect, RiskLevel.High, host ?? Avon, new DateOnly(2027, 1, 1), null, "OP", "act, now", null, "ACT");

    /// <summary>The key's SHA-256 as lower-case hex, as the key table is documented to hold it.</summary>
    private static string Sha256Hex(string key) => string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(key)).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static string MessageOf(Func<Task> action)
    {
        try
        {
            action().GetAwaiter().GetResult();
        }
        catch (ArgumentException e)
        {
            return $"{e.ParamName}: {e.Message}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }

        return "no exception";
    }

    [Test]
    public async Task Refused_api_keys_say_why_in_words_an_admin_can_act_on()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        await keys.CreateAsync("desk-1", "control-room", "admin-1");
        await keys.RevokeAsync("desk-1", "admin-1");
        Assert.Multiple(() =>
        {
            Assert.That(MessageOf(() => keys.CreateAsync("desk-2", "superuser", "admin-1")),
                Is.EqualTo("role: unknown role 'superuser' (bureau, control-room, analyst, admin) (Parameter 'role')"));
            Assert.That(MessageOf(() => keys.CreateAsync("", "analyst", "admin-1")), Is.EqualTo("name: a key name is 1–128 characters (Parameter 'name')"));
            Assert.That(MessageOf(() => keys.CreateAsync("kent-admin", "admin", KeyScope.Resolve(["kent"], null), "admin-1")),
                Is.EqualTo("scope: an admin key is national: give no --force or --region (Parameter 'scope')"));
            Assert.That(MessageOf(() => keys.CreateAsync("desk-1", "analyst", "admin-1")),
                Is.EqualTo("name: a key named 'desk-1' already exists (revoked keys keep their name for the audit trail) (Parameter 'name')"));
        });
        Assert.That(await keys.CreateAsync("national-admin", "admin", KeyScope.National, "admin-1"), Does.StartWith("aw_"), "a national admin key is allowed");
    }

    [Test]
    public async Task A_presented_key_of_up_to_100_characters_is_looked_up_and_a_longer_one_never_is()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        var at100 = "aw_" + new string('k', 97);
        var at101 = "aw_" + new string('k', 98);
        await using (var connection = await _store.Database.OpenAsync())
        {
            foreach (var (name, key) in new[] { ("long-100", at100), ("long-101", at101) })
            {
                await connection.ExecuteAsync("INSERT INTO api_keys (name, role, key_hash, created_at_ms) VALUES (@name, 'analyst', @hash, 0)", new { name, hash = Sha256Hex(key) });
            }
        }

        Assert.That(await keys.FindAsync(at100), Is.EqualTo(new ApiKeyIdentity("long-100", "analyst", KeyScope.National)));
        Assert.That(await keys.FindAsync(at101), Is.Null, "over 100 characters is not a key, whatever the table holds");
    }

    [Test]
    public async Task Sessions_last_until_sign_out_and_belong_to_one_live_key()
    {
        var keys = new ApiKeyStore(_store.Database, _store.Audit, _store.Clock);
        await keys.CreateAsync("desk-1", "control-room", "admin-1");
        await keys.CreateAsync("desk-2", "control-room", "admin-1");
        var session = await keys.StartSessionAsync("desk-1");
        Assert.That(await keys.IsSessionLiveAsync(session, "desk-1"), Is.True);
        Assert.That(await keys.IsSessionLiveAsync(session, "desk-2"), Is.False, "another key's session");
        Assert.That(await keys.IsLiveAsync("desk-1"), Is.True);
        Assert.That(await keys.IsLiveAsync("nobody"), Is.False);
        await keys.EndSessionAsync(session);
        Assert.That(await keys.IsSessionLiveAsync(session, "desk-1"), Is.False, "signed out");

        var second = await keys.StartSessionAsync("desk-2");
        await keys.RevokeAsync("desk-2", "admin-1");
        Assert.That((await keys.IsSessionLiveAsync(second, "desk-2"), await keys.IsLiveAsync("desk-2")), Is.EqualTo((false, false)), "revoking a key ends its sessions");
    }

    [Test]
    public async Task A_marker_list_load_is_audited_with_its_source_counts_and_checksum()
    {
        var sha = new string('b', 64);
        var markers = new[] { M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2") };
        await _store.Markers.ReplaceAsync(Avon, markers, "tester", "bureau", sha, MarkerListDiff.Compute([], markers), "import");
        var next = new[] { M("CD34EFG", "SR-2"), M("EF56GHI", "SR-3"), M("GH78IJK", "SR-4") };
        await _store.Markers.ReplaceAsync(Avon, next, "reviewer", "bureau", sha, MarkerListDiff.Compute(markers, next), "review");

        var entries = await _store.Audit.ListAsync(_store.Clock.Now.AddDays(-1), _store.Clock.Now.AddDays(1));
        Assert.That(entries.Select(e => (e.Actor, e.Role, e.Subject, e.Detail)), Is.EqualTo(new[]
        {
            ("tester", "bureau", "marker list avon-and-somerset v1", $"import: 2 markers, +2 -0 ~0, sha256 {sha}"),
            ("reviewer", "bureau", "marker list avon-and-somerset v2", $"review: 3 markers, +2 -1 ~0, sha256 {sha}"),
        }));
    }

    [Test]
    public async Task Refused_marker_and_location_loads_and_outbox_states_say_why()
    {
        var markers = new[] { M("AB12CDE", "SR-1"), M("CD34EFG", "SR-2", Wiltshire) };
        Assert.That(MessageOf(() => _store.Markers.ReplaceAsync(Avon, markers, "t", "bureau", "x", MarkerListDiff.Compute([], markers), "import")),
            Is.EqualTo("markers: every marker must belong to the force being loaded (Parameter 'markers')"));

        var first = new[] { M("AB12CDE", "SR-1") };
        await _store.Markers.ReplaceAsync(Avon, first, "t", "bureau", "x", MarkerListDiff.Compute([], first), "import");
        await _store.Markers.ReplaceAsync(Avon, first, "t", "bureau", "x", MarkerListDiff.Compute(first, first), "import");
        Assert.That(MessageOf(() => _store.Markers.ReplaceAsync(Avon, first, "t", "bureau", "x", MarkerListDiff.Compute(first, first), "import", expectedActiveVersion: 1)),
            Is.EqualTo("MarkerListChangedException: the marker list of avon-and-somerset changed while this was being prepared (version 2 is now active; " +
                       "this change was checked against version 1): nothing was changed. Look at the list again (a dry run shows the diff) and repeat."));

        var outbox = new OutboxStore(_store.Database);
        Assert.That(MessageOf(() => outbox.ListAsync("delivered", 10)), Is.EqualTo(": state 'delivered' is not pending or failed"));
        Assert.That(await outbox.ListAsync("pending", 10), Is.Empty);
        Assert.That(await outbox.ListAsync("failed", 10), Is.Empty);
    }

    [Test]
    public async Task Outcome_refusals_name_the_field_and_list_what_is_allowed()
    {
        var outcomes = new OutcomeStore(_store.Database, _store.Audit, _store.Clock);
        const string statuses = "acknowledged, dispatched, no-trace, stopped, disruption, safeguarding, false-hit";
        const string reasons = "misread, cloned-plate, marker-out-of-date, vehicle-no-longer-linked, other";
        Assert.Multiple(() =>
        {
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "", null, null, "u", "control-room")), Is.EqualTo($"status: status is required: one of {statuses} (Parameter 'status')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "arrested", null, null, "u", "control-room")), Is.EqualTo($"status: status 'arrested' is not one of {statuses} (Parameter 'status')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "false-hit", null, null, "u", "control-room")), Is.EqualTo($"reason: reason is required for false-hit: one of {reasons} (Parameter 'reason')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "no-trace", "", null, "u", "control-room")), Is.EqualTo($"reason: reason is required for no-trace: one of {reasons} (Parameter 'reason')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "no-trace", "bored", null, "u", "control-room")), Is.EqualTo($"reason: reason 'bored' is not one of {reasons} (Parameter 'reason')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "stopped", "misread", null, "u", "control-room")), Is.EqualTo("reason: reason is given only with false-hit or no-trace, not with stopped (Parameter 'reason')"));
            Assert.That(MessageOf(() => outcomes.RecordAsync("h", "stopped", null, new string('n', 2001), "u", "control-room")), Is.EqualTo("note: note is at most 2000 characters (Parameter 'note')"));
        });
        Assert.That(await outcomes.RecordAsync("no-such-hit", "stopped", null, new string('n', 2000), "u", "control-room"), Is.Null, "a valid outcome on a hit that does not exist");
    }

    [Test]
    public async Task An_empty_host_force_list_filters_nothing_and_a_given_one_keeps_only_hits_on_those_forces_markers()
    {
        var t = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        Hit H(string readId, Marker marker) => new()
        {
            HitId = HitIds.ForHit(readId, marker.MarkerId), AlertId = HitIds.ForAlert(HitIds.ForHit(readId, marker.MarkerId)), ReadId = readId, MarkerId = marker.MarkerId,
            Vrm = marker.Vrm, MarkerVrm = marker.Vrm, MatchKind = MatchKind.Exact, ObservedAt = t, CameraId = "CAM", Site = "A4", CameraForce = ForceRegistry.Get("dorset"),
            HostForce = marker.HostForce, Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false, RecordedAt = t,
        };
        await _store.Hits.SaveHitsAsync([H("r-avon", M("AB12CDE", "SR-1")), H("r-wilts", M("WW11WWW", "SR-W", Wiltshire))], CancellationToken.None);

        async Task<string[]> Reads(IReadOnlyCollection<string>? hostForces)
            => (await _store.Hits.QueryAsync(new HitQuery(t.AddDays(-1), t.AddDays(1), HostForces: hostForces))).Select(h => h.ReadId).Order().ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await Reads(null), Is.EqualTo(new[] { "r-avon", "r-wilts" }));
            Assert.That(await Reads([]), Is.EqualTo(new[] { "r-avon", "r-wilts" }), "an empty list is no filter, not 'no force'");
            Assert.That(await Reads(["wiltshire"]), Is.EqualTo(new[] { "r-wilts" }));
            Assert.That(await Reads(["dorset"]), Is.Empty, "the camera force is not a host force");
        });
    }

    [Test]
    public async Task A_sqlite_store_waits_ten_seconds_for_a_lock_unless_the_connection_string_says_otherwise()
    {
        var path = Path.Combine(Path.GetTempPath(), $"anprwatch-dialect-{Guid.NewGuid():N}.db");
        var dialect = new SqliteDialect($"Data Source={path}");
        Assert.That(new SqliteConnectionStringBuilder(dialect.CreateConnection().ConnectionString).DefaultTimeout, Is.EqualTo(10));
        Assert.That(new SqliteConnectionStringBuilder(new SqliteDialect($"Data Source={path};Default Timeout=3").CreateConnection().ConnectionString).DefaultTimeout, Is.EqualTo(3));

        await using var connection = await _store.Database.OpenAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"), Is.EqualTo(10_000));
        Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"), Is.EqualTo(2), "FULL");
    }

    [Test]
    public void A_missing_sqlite_file_is_named_and_never_created_except_by_the_migration_connection()
    {
        var directory = Directory.CreateTempSubdirectory("anprwatch-dialect-").FullName;
        try
        {
            var path = Path.Combine(directory, "missing.db");
            var dialect = new SqliteDialect($"Data Source={path}");
            Assert.Multiple(() =>
            {
                Assert.That(dialect.IsFile, Is.True);
                Assert.That(dialect.Describe(), Is.EqualTo($"the SQLite store {path}"));
                Assert.That(dialect.MissingStoreReason(), Is.EqualTo($"the SQLite store {path} does not exist; create it with `anprwatch db migrate` (Storage:CreateIfMissing=true does so for a demo)"));
                Assert.That(new SqliteConnectionStringBuilder(dialect.CreateConnection().ConnectionString).Mode, Is.EqualTo(SqliteOpenMode.ReadWrite));
                Assert.That(new SqliteConnectionStringBuilder(dialect.CreateMigrationConnection().ConnectionString).Mode, Is.EqualTo(SqliteOpenMode.ReadWriteCreate));
                Assert.That(() => { using var c = dialect.CreateConnection(); c.Open(); }, Throws.InstanceOf<SqliteException>(), "an ordinary connection never creates the file");
                Assert.That(File.Exists(path), Is.False);
                Assert.That(new SqliteConnectionStringBuilder(new SqliteDialect($"Data Source={path};Mode=ReadOnly").CreateConnection().ConnectionString).Mode, Is.EqualTo(SqliteOpenMode.ReadOnly), "read-only stays read-only");
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("Data Source=:memory:")]
    [TestCase("Data Source=inmem;Mode=Memory;Cache=Shared")]
    [TestCase("Data Source=")]
    public async Task An_in_memory_sqlite_store_is_not_a_file_and_is_never_missing(string connectionString)
    {
        var dialect = new SqliteDialect(connectionString);
        Assert.Multiple(() =>
        {
            Assert.That(dialect.IsFile, Is.False);
            Assert.That(dialect.Describe(), Is.EqualTo("the in-memory SQLite store"));
            Assert.That(dialect.MissingStoreReason(), Is.Null);
        });
        var database = new Database(dialect);
        await using var connection = await database.OpenForMigrationAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT 1"), Is.EqualTo(1));
    }

    [Test]
    public void The_provider_is_sqlite_or_sqlserver_whatever_its_case_and_anything_else_is_refused_by_name()
    {
        Assert.That(SqlDialect.For(new StorageOptions { Provider = " SQLite ", ConnectionString = "Data Source=:memory:" }).Name, Is.EqualTo("sqlite"));
        Assert.That(SqlDialect.For(new StorageOptions { Provider = "SqlServer", ConnectionString = "Server=db;Database=anpr" }).Name, Is.EqualTo("sqlserver"));
        Assert.That(() => SqlDialect.For(new StorageOptions { Provider = "oracle", ConnectionString = "x" }),
            Throws.ArgumentException.With.Message.EqualTo("Storage:Provider 'oracle' is not supported (use sqlite or sqlserver)"));
    }

    [Test]
    public void A_sql_server_store_is_described_by_database_and_server_never_with_its_password()
    {
        var description = new SqlServerDialect("Server=tcp:anpr-db.police.example,1433;Database=anprwatch;User Id=anprwatch_app;Password=s3cret!").Describe();
        Assert.That(description, Is.EqualTo("the SQL Server database anprwatch on tcp:anpr-db.police.example,1433"));
        Assert.That(description, Does.Not.Contain("s3cret"));
    }

    [Test]
    public async Task A_store_without_the_schema_or_behind_this_build_is_refused_with_the_command_that_fixes_it()
    {
        var directory = Directory.CreateTempSubdirectory("anprwatch-ready-").FullName;
        try
        {
            var path = Path.Combine(directory, "store.db");
            var database = new Database(new SqliteDialect($"Data Source={path}"));
            var runner = new MigrationRunner(database, _store.Clock);
            Assert.That(async () => await runner.EnsureReadyAsync(createIfMissing: false),
                Throws.InstanceOf<StoreNotReadyException>().With.Message.EqualTo($"the SQLite store {path} does not exist; create it with `anprwatch db migrate` (Storage:CreateIfMissing=true does so for a demo)"));

            await using (var create = await database.OpenForMigrationAsync())
            {
                await create.ExecuteAsync("CREATE TABLE other (x INTEGER)");
            }

            Assert.That(async () => await runner.EnsureReadyAsync(createIfMissing: false),
                Throws.InstanceOf<StoreNotReadyException>().With.Message.EqualTo($"the SQLite store {path} holds no AnprWatch schema (no schema_migrations journal); create it with `anprwatch db migrate`"));

            await runner.EnsureReadyAsync(createIfMissing: true);
            await runner.EnsureReadyAsync(createIfMissing: false);
            await using (var connection = await database.OpenAsync())
            {
                await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 260");
            }

            Assert.That(async () => await runner.EnsureReadyAsync(createIfMissing: false),
                Throws.InstanceOf<StoreNotReadyException>().With.Message.StartsWith($"the SQLite store {path} has schema version 250 and this build needs 260; apply the missing migrations with `anprwatch db migrate`"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
