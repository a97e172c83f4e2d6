using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests;

/// <summary>
/// Issue 13, store identity: no command and no serve creates an empty store where one was configured (creating one
/// is `db migrate`, or Storage:CreateIfMissing for a demo); serve never runs DDL and refuses a schema older than it
/// needs; a store that vanishes or is replaced while serve runs pauses the worker until the right store is back.
/// </summary>
public class StoreIdentityTests
{
    private const string Markers = "vrm,suspect_ref,risk_level,host_force,review_due\nFD12ABC,SR-IDENTITY,HIGH,avon-and-somerset,2099-12-31\n";

    private static string At(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task A_command_on_a_store_that_does_not_exist_exits_2_naming_the_path_and_creates_nothing()
    {
        using var cli = new CliRunner(createStore: false);
        var result = await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain(cli.Database).And.Contain("does not exist").And.Contain("anprwatch db migrate"));
            Assert.That(File.Exists(cli.Database), Is.False, "no empty store was created");
        });
    }

    [Test]
    public async Task Db_migrate_creates_the_store_and_every_command_then_works_on_it()
    {
        using var cli = new CliRunner(createStore: false);
        var migrate = await cli.RunAsync("db", "migrate");
        Assert.That(migrate.ExitCode, Is.Zero, migrate.Err);
        Assert.That(migrate.Out, Does.StartWith("sqlite: applied 0001_initial.sql, 0002_alert_delivery.sql, 0003_store_identity.sql, 0004_hot_lookup_indexes.sql"));
        var key = await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu");
        Assert.That(key.ExitCode, Is.Zero, key.Err);
        Assert.That(await cli.ColumnAsync("SELECT length(store_id) FROM store_identity"), Is.EqualTo(new[] { "32" }));
    }

    [Test]
    public async Task Two_stores_made_by_db_migrate_have_different_ids()
    {
        using var first = new CliRunner();
        using var second = new CliRunner();
        var a = await first.ColumnAsync("SELECT store_id FROM store_identity");
        var b = await second.ColumnAsync("SELECT store_id FROM store_identity");
        Assert.That(a, Has.Count.EqualTo(1));
        Assert.That(a, Is.Not.EqualTo(b));
    }

    [Test]
    public async Task Serve_on_a_store_that_does_not_exist_exits_2_and_creates_nothing()
    {
        using var cli = new CliRunner(createStore: false);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        Assert.That(await serve.WaitForExitAsync(60), Is.EqualTo(2), serve.Output);
        Assert.Multiple(() =>
        {
            Assert.That(serve.Output, Does.Contain(cli.Database).And.Contain("anprwatch db migrate"));
            Assert.That(File.Exists(cli.Database), Is.False);
        });
    }

    [Test]
    public async Task Serve_with_create_if_missing_creates_the_store_as_the_demo_does()
    {
        using var cli = new CliRunner(createStore: false);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none", "--Storage:CreateIfMissing=true");
        await serve.WaitReadyAsync();
        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM store_identity"), Is.EqualTo(new[] { "1" }));
    }

    [Test]
    public async Task Serve_refuses_a_schema_older_than_it_needs_runs_no_ddl_and_starts_once_db_migrate_has_run()
    {
        using var cli = new CliRunner();
        // A store one migration behind: 0260's column undone and its journal row gone, as on a store made by the last release.
        await ExecuteAsync(cli.Database, "ALTER TABLE markers DROP COLUMN imported_review_due; DELETE FROM schema_migrations WHERE version = 260");
        var before = await cli.ColumnAsync("SELECT COUNT(*) FROM schema_migrations");

        await using (var refused = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none"))
        {
            Assert.That(await refused.WaitForExitAsync(60), Is.EqualTo(2), refused.Output);
            Assert.That(refused.Output, Does.Contain("this build needs").And.Contain("anprwatch db migrate"));
        }

        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(before), "serve applied no migration");
        var command = await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu");
        Assert.That(command.ExitCode, Is.EqualTo(2), "commands refuse the old schema too");

        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
    }

    [Test]
    public async Task A_store_deleted_then_replaced_while_serve_runs_pauses_the_worker_until_the_right_store_is_back()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false);
        using var http = serve.CreateClient();

        // A consistent copy of the right store, then the store is deleted under the running serve.
        var backup = cli.PathOf("backup.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{backup}'");
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        var missing = await ReadinessAsync(http);
        Assert.That(missing.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), missing.Body);
        Assert.That(missing.Body, Does.Contain("\"store\":\"unreachable\"").And.Contain("is missing"));

        // A read of a marked plate arrives while the store is gone: it is held, not stored anywhere, not finished.
        await DropAsync(cli, inbox, "reads.jsonl", [$$"""{"readId":"id-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await WaitForAsync(() => serve.Output.Contains("STORE UNAVAILABLE", StringComparison.Ordinal), serve, "the outage was not logged loudly");
        await Task.Delay(3000);
        Assert.That(File.Exists(Path.Combine(inbox, "done", "reads.receipt.json")), Is.False, "the file was finished without a store");

        // Someone creates a new, empty store at the same path: serve must not take it for the right one.
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await WaitForAsync(() => serve.Output.Contains("has been replaced", StringComparison.Ordinal), serve, "the replaced store was not detected");
        var replaced = await ReadinessAsync(http);
        Assert.That(replaced.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), replaced.Body);
        Assert.That(replaced.Body, Does.Contain("has been replaced"));
        await Task.Delay(3000);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM hits"), Is.EqualTo(new[] { "0" }), "no hit went into the wrong store");
            Assert.That(File.Exists(Path.Combine(inbox, "done", "reads.receipt.json")), Is.False);
            Assert.That(serve.HasExited, Is.False);
        });

        // The right store is restored: the worker resumes, the held read is stored in it, and serve is ready again.
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        File.Move(backup, cli.Database);
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "reads.receipt.json")), serve, "the worker did not resume on the right store");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false, seconds: 20);
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "id-1" }));
        Assert.That(serve.Output, Does.Contain("store available again"));
    }

    [Test]
    public async Task A_store_put_back_from_an_earlier_copy_pauses_the_worker_and_the_api_until_an_operator_accepts_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);
        var backup = cli.PathOf("backup.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{backup}'"); // the nightly copy: same store id, no hit yet
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using (var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}"))
        {
            await serve.WaitReadyAsync(orOnlyMissingMarkers: false);
            using var http = serve.CreateClient();
            await DropAsync(cli, inbox, "first.jsonl", [$$"""{"readId":"r-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
            await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "first.receipt.json")), serve, "the first file was not processed");

            // The earlier copy is put back while serve runs: same id, but the hit stored since is gone with it.
            SqliteConnection.ClearAllPools();
            DeleteStore(cli.Database);
            File.Copy(backup, cli.Database);
            await WaitForAsync(() => serve.Output.Contains("no longer holds hit", StringComparison.Ordinal), serve, "the restored copy was not noticed");
            var readiness = await ReadinessAsync(http);
            Assert.That(readiness.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), readiness.Body);
            Assert.That(readiness.Body, Does.Contain("restored from an earlier copy"));

            // The API answers 503 rather than reading (or checking keys against) a store that lost data under it.
            var api = await http.GetAsync(new Uri("/api/alerts", UriKind.Relative));
            Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

            await DropAsync(cli, inbox, "second.jsonl", [$$"""{"readId":"r-2","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
            await Task.Delay(3000);
            Assert.That(File.Exists(Path.Combine(inbox, "done", "second.receipt.json")), Is.False, "a hit went into the restored copy unnoticed");
            Assert.That(serve.HasExited, Is.False, serve.Output);
        }

        // A restart alone (systemd's, after a crash) does not adopt the restored copy: serve remembers the hit it lost.
        var state = cli.Database + ".serve-state.json";
        await using (var restarted = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}"))
        {
            Assert.That(await restarted.WaitForExitAsync(60), Is.EqualTo(2), restarted.Output);
            Assert.That(restarted.Output, Does.Contain("no longer holds hit").And.Contain("restored from an earlier copy").And.Contain($"delete {state}"));
            Assert.That(File.Exists(Path.Combine(inbox, "done", "second.receipt.json")), Is.False);
        }

        // An operator accepts the restored store on purpose by deleting serve's memory of it: the held file is processed.
        File.Delete(state);
        await using var accepted = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "second.receipt.json")), accepted, "the held file was not processed once the store was accepted");
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "r-2" }));
    }

    [Test]
    public async Task A_store_replaced_or_put_back_from_a_copy_while_serve_was_down_is_refused_at_the_next_start()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);
        var backup = cli.PathOf("backup.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{backup}'"); // taken before serve stored anything
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using (var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}"))
        {
            await serve.WaitReadyAsync(orOnlyMissingMarkers: false);
            await DropAsync(cli, inbox, "first.jsonl", [$$"""{"readId":"d-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
            await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "first.receipt.json")), serve, "the first file was not processed");
        }

        var hitId = (await cli.ColumnAsync("SELECT hit_id FROM hits")).Single();
        var right = cli.PathOf("right.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{right}'");

        // While serve is down, the earlier copy is put back: the newest hit serve stored is not in it.
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        File.Copy(backup, cli.Database);
        await using (var restored = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}"))
        {
            Assert.That(await restored.WaitForExitAsync(60), Is.EqualTo(2), restored.Output);
            Assert.That(restored.Output, Does.Contain($"no longer holds hit {hitId}"));
        }

        // While serve is down, a new empty store is made at the same path: another store id.
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await using (var replaced = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}"))
        {
            Assert.That(await replaced.WaitForExitAsync(60), Is.EqualTo(2), replaced.Output);
            Assert.That(replaced.Output, Does.Contain("the store was replaced while serve was down"));
        }

        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM hits"), Is.EqualTo(new[] { "0" }), "nothing was written to the wrong store");

        // The right store back: serve starts on it.
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        File.Move(right, cli.Database);
        await using var back = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await back.WaitReadyAsync(orOnlyMissingMarkers: false);
    }

    [Test]
    public async Task A_batch_of_old_reads_after_a_recent_hit_does_not_blind_the_check_for_a_store_put_back_from_a_copy()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers + "GH34XYZ,SR-OLD,HIGH,avon-and-somerset,2099-12-31\n");
        var backup = cli.PathOf("backup.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{backup}'"); // taken before serve stored anything
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using (var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Retention:HitDays=365"))
        {
            await serve.WaitReadyAsync(orOnlyMissingMarkers: false);
            await DropAsync(cli, inbox, "recent.jsonl", [$$"""{"readId":"n-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
            await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "recent.receipt.json")), serve, "the recent file was not processed");

            // Then a camera's backlog (or a replay) of reads older than retention keeps: the last batch stored is old.
            await DropAsync(cli, inbox, "backlog.jsonl", [$$"""{"readId":"o-1","vrm":"GH34XYZ","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow.AddDays(-400))}}"}"""]);
            await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "backlog.receipt.json")), serve, "the backlog file was not processed");
        }

        var recent = (await cli.ColumnAsync("SELECT hit_id FROM hits WHERE vrm = 'FD12ABC'")).Single();

        // While serve is down, the copy from before both is put back: the recent hit is lost with it.
        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        File.Copy(backup, cli.Database);
        await using var restored = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Retention:HitDays=365");
        Assert.That(await restored.WaitForExitAsync(60), Is.EqualTo(2), restored.Output);
        Assert.That(restored.Output, Does.Contain($"no longer holds hit {recent}"));
    }

    [Test]
    public async Task A_store_replaced_by_a_database_without_anprwatch_tables_pauses_the_worker_instead_of_stopping_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);
        var right = cli.PathOf("right.db");
        await ExecuteAsync(cli.Database, $"VACUUM INTO '{right}'");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false);

        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        var foreign = cli.PathOf("foreign.db");
        await ExecuteAsync(foreign, "CREATE TABLE notes (text TEXT)", create: true);
        File.Move(foreign, cli.Database);
        await DropAsync(cli, inbox, "reads.jsonl", [$$"""{"readId":"f-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await WaitForAsync(() => serve.Output.Contains("STORE UNAVAILABLE", StringComparison.Ordinal), serve, "the foreign database was not noticed");
        await Task.Delay(3000);
        Assert.That(serve.HasExited, Is.False, "a swapped-in file is an outage to wait out, not a schema error to exit on\n" + serve.Output);

        SqliteConnection.ClearAllPools();
        DeleteStore(cli.Database);
        File.Move(right, cli.Database);
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "reads.receipt.json")), serve, "the worker did not resume on the right store");
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "f-1" }));
    }

    [Test]
    public async Task Serve_pinned_to_a_store_id_refuses_any_other_store_with_exit_2_and_starts_on_its_own()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);
        var id = (await cli.ColumnAsync("SELECT store_id FROM store_identity")).Single();
        const string other = "00000000000000000000000000000000";

        await using (var refused = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none", $"--Storage:ExpectedStoreId={other}"))
        {
            Assert.That(await refused.WaitForExitAsync(60), Is.EqualTo(2), refused.Output);
            Assert.That(refused.Output, Does.Contain("Storage:ExpectedStoreId").And.Contain(id));
        }

        await using var accepted = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none", $"--Storage:ExpectedStoreId={id.ToUpperInvariant()}");
        await accepted.WaitReadyAsync(orOnlyMissingMarkers: false);
    }

    private static void DeleteStore(string database)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(database + suffix);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadinessAsync(HttpClient http)
    {
        var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task ExecuteAsync(string database, string sql, bool create = false)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false;Mode={(create ? "ReadWriteCreate" : "ReadWrite")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task DropAsync(CliRunner cli, string inbox, string name, IEnumerable<string> lines)
    {
        var staging = cli.PathOf($"staging-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(staging, lines);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-1));
        File.Move(staging, Path.Combine(inbox, name));
    }

    private static async Task WaitForAsync(Func<bool> condition, Kafka.ServeProcess serve, string what, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed < TimeSpan.FromSeconds(seconds) && !serve.HasExited, Is.True, what + "\n" + serve.Output);
            await Task.Delay(100);
        }
    }
}
