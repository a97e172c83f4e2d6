using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests;

/// <summary>
/// `serve` with the embedded default source: a file dropped into the inbox is processed once, its outputs land in
/// done/ beside a receipt, and the input (every miss in it) is deleted.
/// </summary>
public class ServeFolderTests
{
    /// <summary>The one marked vehicle most folder tests read: FD12ABC, HIGH risk, host avon-and-somerset.</summary>
    private const string FolderMarker = "vrm,suspect_ref,risk_level,host_force,review_due\nFD12ABC,SR-FOLDER,HIGH,avon-and-somerset,2099-12-31\n";

    private static string At(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task DropAsync(CliRunner cli, string inbox, string name, IEnumerable<string> lines)
    {
        var staging = cli.PathOf($"staging-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(staging, lines);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-1));
        File.Move(staging, Path.Combine(inbox, name)); // dropped by rename, as the README asks
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

    private static async Task<string> RawReadinessAsync(Kafka.ServeProcess serve)
    {
        using var http = serve.CreateClient();
        try
        {
            return await (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    [Test]
    public async Task A_dropped_file_is_processed_once_its_outputs_and_receipt_kept_and_the_input_deleted()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var now = DateTimeOffset.UtcNow;
        await DropAsync(cli, inbox, "reads-1.jsonl",
        [
            $$"""{"readId":"f-1","vrm":"FD12 ABC","cameraId":"CAM-9","forceCode":"dorset","observedAt":"{{At(now)}}"}""",
            "not json",
            $$"""{"readId":"f-2","vrm":"XX99XXX","cameraId":"CAM-9","forceCode":"dorset","observedAt":"{{At(now)}}"}""",
        ]);

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        var done = Path.Combine(inbox, "done");
        await WaitForAsync(() => File.Exists(Path.Combine(done, "reads-1.receipt.json")), serve, "the file was not processed");

        await Assert.MultipleAsync(async () =>
        {
            // The misses (f-2) are nowhere on disk: the input is gone from the inbox, the claim folder and done/.
            Assert.That(Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories).Select(Path.GetFileName),
                Is.EquivalentTo(new[] { ".lock", "reads-1.alerts.jsonl", "reads-1.dlq.jsonl", "reads-1.receipt.json" }));
            var deadLetter = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(done, "reads-1.dlq.jsonl"))).Single())!;
            Assert.That(deadLetter["line"]!.GetValue<long>(), Is.EqualTo(2));
            var alerts = (await File.ReadAllLinesAsync(Path.Combine(done, "reads-1.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.That(alerts.Select(a => a["routedTo"]!.GetValue<string>()), Is.EquivalentTo(new[] { "dorset", "avon-and-somerset" }));
            var receipt = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(done, "reads-1.receipt.json")))!;
            Assert.That((receipt["reads"]!.GetValue<long>(), receipt["hits"]!.GetValue<long>(), receipt["deadLetters"]!.GetValue<long>()), Is.EqualTo((3L, 1L, 1L)));
            var hits = await GroundTruth.StoredAsync(cli);
            Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "f-1" }));
        });
    }

    [Test]
    public async Task A_second_file_with_the_same_name_keeps_the_first_files_alerts_and_dead_letters()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var now = DateTimeOffset.UtcNow;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        var done = Path.Combine(inbox, "done");

        await DropAsync(cli, inbox, "feed.jsonl", [$$"""{"readId":"first","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(now.AddHours(-2))}}"}""", "junk one"]);
        await WaitForAsync(() => File.Exists(Path.Combine(done, "feed.receipt.json")), serve, "first file");
        await DropAsync(cli, inbox, "feed.jsonl", [$$"""{"readId":"second","vrm":"FD12ABC","cameraId":"C","forceCode":"wiltshire","observedAt":"{{At(now.AddHours(-1))}}"}""", "junk two"]);
        await WaitForAsync(() => File.Exists(Path.Combine(done, "feed~2.receipt.json")), serve, "second file");

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await File.ReadAllTextAsync(Path.Combine(done, "feed.alerts.jsonl"))), Does.Contain("\"readId\":\"first\"").And.Not.Contain("\"second\""));
            Assert.That((await File.ReadAllTextAsync(Path.Combine(done, "feed.dlq.jsonl"))), Does.Contain("junk one"));
            Assert.That((await File.ReadAllTextAsync(Path.Combine(done, "feed~2.alerts.jsonl"))), Does.Contain("\"readId\":\"second\"").And.Not.Contain("\"first\""));
            Assert.That((await File.ReadAllTextAsync(Path.Combine(done, "feed~2.dlq.jsonl"))), Does.Contain("junk two"));
        });
    }

    [Test]
    public async Task Killed_at_random_points_mid_file_the_restarts_leave_exactly_the_outputs_of_one_clean_run()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 1313, vehicles: 400);
        var truth = await GroundTruth.ExpectedAsync(sim);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var lines = await File.ReadAllLinesAsync(Path.Combine(sim, "reads.jsonl"));
        await DropAsync(cli, inbox, "railcar.jsonl", lines);

        // The oracle is the simulator's: every hit once, one alert line per routed copy of each alerted hit, and one
        // dead letter per read the simulator made malformed.
        var expectedAlerts = GroundTruth.ExpectedAlertMessages(truth);
        var malformed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!["malformed"]!.AsArray().Count;
        var receipt = Path.Combine(inbox, "done", "railcar.receipt.json");
        var random = new Random(20261130);
        var kills = 0;
        for (var k = 0; k < 3; k++)
        {
            await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Source:BatchSize=40");
            var target = (long)(truth.Count * (0.15 + (0.25 * k) + (random.NextDouble() * 0.2)));
            var clock = Stopwatch.StartNew();
            while (await Kafka.HitCounts.CountAsync(cli) < target && !File.Exists(receipt))
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), serve.Output);
                await Task.Delay(10);
            }

            serve.Kill();
            await serve.WaitForExitAsync();
            kills += File.Exists(receipt) ? 0 : 1;
        }

        await using (var last = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Source:BatchSize=40"))
        {
            await WaitForAsync(() => File.Exists(receipt), last, "the interrupted file was never finished", 180);
        }

        var alerts = await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "railcar.alerts.jsonl"));
        var deadLetters = await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "railcar.dlq.jsonl"));
        var stored = await GroundTruth.StoredAsync(cli);
        Assert.Multiple(() =>
        {
            Assert.That(kills, Is.EqualTo(3), "every kill landed part-way through the file");
            Assert.That(GroundTruth.Keys(stored), Is.EqualTo(GroundTruth.Keys(truth)), "every hit once, each decided as in one clean run");
            Assert.That(alerts, Has.Length.EqualTo(expectedAlerts), "every alert line once");
            Assert.That(alerts.Select(a => JsonNode.Parse(a)!).Select(a => $"{a["alertId"]}|{a["routedTo"]}|{a["confirmedAt"]}").Distinct().Count(), Is.EqualTo(expectedAlerts));
            Assert.That(deadLetters.Select(d => JsonNode.Parse(d)!["line"]!.GetValue<long>()), Is.Unique);
            Assert.That(deadLetters, Has.Length.EqualTo(malformed), "every dead letter once");
            Assert.That(Directory.EnumerateFiles(inbox, "*.jsonl", SearchOption.AllDirectories).Select(Path.GetFileName),
                Is.EquivalentTo(new[] { "railcar.alerts.jsonl", "railcar.dlq.jsonl" }), "the input is deleted once its outputs are durable");
        });
    }

    [Test]
    public async Task A_read_the_store_refuses_every_time_is_isolated_and_dead_lettered_and_the_rest_of_its_batch_is_stored()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);

        // A deterministic store error on one read only, as a constraint or a server limit would give: retrying cannot cure it.
        await using (var connection = new SqliteConnection($"Data Source={cli.Database};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER poison_hit BEFORE INSERT ON hits WHEN NEW.read_id = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by the store'); END";
            await command.ExecuteNonQueryAsync();
        }

        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 30).Select(i => i == 17 ? "refused" : $"ok-{i}").ToList();
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await DropAsync(cli, inbox, "batch.jsonl", ids.Select((id, i) =>
            $$"""{"readId":"{{id}}","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(now.AddMinutes(-20 * (30 - i)))}}"}"""));
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "batch.receipt.json")), serve, "the file was not processed");

        var deadLetter = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "batch.dlq.jsonl"))).Single())!;
        var stored = await GroundTruth.StoredAsync(cli);
        Assert.Multiple(() =>
        {
            Assert.That(deadLetter["line"]!.GetValue<long>(), Is.EqualTo(18));
            Assert.That(deadLetter["reason"]!.GetValue<string>(), Does.StartWith("internal:").And.Contain("refused by the store"));
            Assert.That(stored.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(ids.Where(i => i != "refused").Order()));
            Assert.That(serve.HasExited, Is.False);
        });
    }

    [Test]
    public async Task A_store_whose_schema_is_wrong_stops_serve_with_exit_code_1_and_dead_letters_no_hit()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        await using (var connection = new SqliteConnection($"Data Source={cli.Database};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE hits RENAME COLUMN lane TO lane_v2"; // a store from another version
            await command.ExecuteNonQueryAsync();
        }

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await DropAsync(cli, inbox, "reads.jsonl", [$$"""{"readId":"s-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        Assert.That(await serve.WaitForExitAsync(60), Is.EqualTo(1), serve.Output);
        var deadLetters = Path.Combine(inbox, "done", "reads.dlq.jsonl");
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(deadLetters) ? File.ReadAllText(deadLetters) : "", Is.Empty, "the hit is not thrown away as a dead letter");
            Assert.That(File.Exists(Path.Combine(inbox, ".claimed", "reads.jsonl")), Is.True, "the input is kept to be processed once the store is right");
        });
    }

    [Test]
    public async Task An_unreadable_input_is_set_aside_and_the_files_after_it_are_still_processed()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        File.CreateSymbolicLink(Path.Combine(inbox, "a-dangling.jsonl"), cli.PathOf("does-not-exist.jsonl"));
        await DropAsync(cli, inbox, "b-good.jsonl", [$$"""{"readId":"g-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "b-good.receipt.json")), serve, "the good file after the unreadable one was not processed");
        Assert.That(File.ReadAllText(Path.Combine(inbox, "failed", "a-dangling.error.txt")), Does.Contain("symbolic link"));
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "g-1" }));
    }

    [Test]
    public async Task A_fifo_dropped_into_the_inbox_is_set_aside_instead_of_blocking_every_later_file()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var fifo = Path.Combine(inbox, "a-pipe.jsonl");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.That(mkfifo.ExitCode, Is.Zero, "mkfifo failed");
        }

        File.SetLastWriteTimeUtc(fifo, DateTime.UtcNow.AddMinutes(-1));
        await DropAsync(cli, inbox, "b-good.jsonl", [$$"""{"readId":"p-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "b-good.receipt.json")), serve, "the file after the FIFO was never processed");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(inbox, "failed", "a-pipe.error.txt")), Does.Contain("not a regular file"));
            Assert.That(serve.HasExited, Is.False);
        });
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "p-1" }));
    }

    [Test]
    public async Task A_store_that_answers_but_refuses_writes_makes_readyz_503_once_the_batch_has_stalled_and_ready_again_after()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Source:StalledAfter=00:00:05");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false);

        // Another process holds the write lock: the store still answers the probe (WAL readers go on), but no write gets through.
        await using var writer = new SqliteConnection($"Data Source={cli.Database};Pooling=false");
        await writer.OpenAsync();
        await using var command = writer.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";
        await command.ExecuteNonQueryAsync();
        await DropAsync(cli, inbox, "stalled.jsonl", [$$"""{"readId":"w-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await WaitForAsync(() => RawReadinessAsync(serve).GetAwaiter().GetResult().Contains("\"worker\":false", StringComparison.Ordinal), serve,
            "a worker that has stored nothing for longer than Source:StalledAfter still looked ready", seconds: 90);
        var body = await RawReadinessAsync(serve);
        Assert.That(body, Does.Contain("has failed for").And.Contain("locked"), body);

        command.CommandText = "ROLLBACK";
        await command.ExecuteNonQueryAsync();
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "stalled.receipt.json")), serve, "the held file was not finished once the lock went");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false, seconds: 20);
        Assert.That((await GroundTruth.StoredAsync(cli)).Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "w-1" }));
    }

    [Test]
    public async Task Folder_outputs_older_than_the_hit_retention_are_deleted_and_newer_ones_kept()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var done = Directory.CreateDirectory(Path.Combine(inbox, "done")).FullName;
        var failed = Directory.CreateDirectory(Path.Combine(inbox, "failed")).FullName;
        string[] old = [Path.Combine(done, "old.alerts.jsonl"), Path.Combine(done, "old.dlq.jsonl"), Path.Combine(done, "old.receipt.json"), Path.Combine(failed, "old.jsonl")];
        string[] recent = [Path.Combine(done, "recent.alerts.jsonl"), Path.Combine(failed, "recent.error.txt")];
        foreach (var file in old.Concat(recent))
        {
            await File.WriteAllTextAsync(file, "{}\n");
        }

        foreach (var file in old)
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-31)); // Retention:HitDays=30 below
        }

        foreach (var file in recent)
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-29));
        }

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Retention:HitDays=30");
        await WaitForAsync(() => old.All(f => !File.Exists(f)), serve, "outputs past the retention were kept");
        Assert.That(recent.Where(File.Exists), Is.EqualTo(recent), "outputs within the retention were deleted");
    }

    [Test]
    public async Task A_link_dropped_into_the_inbox_is_never_followed_so_no_file_the_service_can_read_leaks_into_dead_letters()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var secret = cli.PathOf("secret.txt");
        await File.WriteAllTextAsync(secret, "SECRET_DB_PASSWORD=hunter2\n");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        File.CreateSymbolicLink(Path.Combine(inbox, "leak.jsonl"), secret);
        await DropAsync(cli, inbox, "z-good.jsonl", [$$"""{"readId":"g-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "z-good.receipt.json")), serve, "the good file was not processed");

        var everything = string.Concat(Directory.EnumerateFiles(Path.Combine(inbox, "done"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Multiple(() =>
        {
            Assert.That(everything, Does.Not.Contain("hunter2"));
            Assert.That(File.ReadAllText(Path.Combine(inbox, "failed", "leak.error.txt")), Does.Contain("symbolic link"));
            Assert.That(File.ReadAllText(secret), Does.Contain("hunter2"), "the target is left alone");
        });
    }

    [Test]
    public async Task A_file_stamped_in_the_future_is_processed_at_once_not_held_until_its_clock_time()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var staging = cli.PathOf("future.jsonl");
        await File.WriteAllLinesAsync(staging, [$$"""{"readId":"fu-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddDays(30)); // copied with `cp -p` from a camera server whose clock runs ahead
        File.Move(staging, Path.Combine(inbox, "future.jsonl"));
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "future.receipt.json")), serve, "the file stamped in the future was held", 30);
    }

    [Test]
    public async Task An_alert_output_that_cannot_be_written_pauses_the_file_and_loses_no_alert_once_it_can()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;

        // Where the alert lines must go is not writable (here: a directory of that name, as an operator's mistake could leave).
        var blocked = Directory.CreateDirectory(Path.Combine(inbox, "done", "blocked.alerts.jsonl")).FullName;
        await DropAsync(cli, inbox, "blocked.jsonl", [$$"""{"readId":"bl-1","vrm":"FD12ABC","cameraId":"C","forceCode":"dorset","observedAt":"{{At(DateTimeOffset.UtcNow)}}"}"""]);
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await WaitForAsync(() => serve.Output.Contains("retrying", StringComparison.Ordinal), serve, "the worker did not pause on the unwritable output");
        Assert.That(File.Exists(Path.Combine(inbox, "done", "blocked.receipt.json")), Is.False, "the file is not finished while its alert cannot be written");

        Directory.Delete(blocked);
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "blocked.receipt.json")), serve, "the file was not finished once the output was writable");
        var alerts = await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "blocked.alerts.jsonl"));
        Assert.Multiple(() =>
        {
            Assert.That(alerts.Select(a => JsonNode.Parse(a)!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "bl-1", "bl-1" }));
            Assert.That(File.ReadAllText(Path.Combine(inbox, "done", "blocked.dlq.jsonl")), Is.Empty, "the read is not blamed");
        });
    }

    [TestCase("ftp://127.0.0.1:5080")]
    [TestCase("http://127.0.0.1")]
    [TestCase("127.0.0.1:5080")]
    public async Task A_listen_address_that_is_not_http_host_port_stops_serve_with_exit_2_naming_the_key(string url)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync(["serve", "--Source:Kind=none", $"--Http:Urls={url}"]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain("configuration Http:Urls:"));
        });
    }

    [Test]
    public async Task A_serve_that_cannot_listen_takes_nothing_from_the_inbox_before_it_exits()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await DropAsync(cli, inbox, "waiting.jsonl", [$$"""{"readId":"busy-1","vrm":"FD12ABC","cameraId":"WIL-1","forceCode":"wiltshire","observedAt":"{{At(DateTimeOffset.UtcNow.AddMinutes(-1))}}"}"""]);

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", $"--Http:Urls=http://127.0.0.1:{port}");
        Assert.That(await serve.WaitForExitAsync(60), Is.Not.Zero, serve.Output);
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(inbox, "waiting.jsonl")), Is.True, "the file is left for a serve that can run");
            Assert.That(Directory.Exists(Path.Combine(inbox, "done")) ? Directory.GetFiles(Path.Combine(inbox, "done")) : [], Is.Empty);
        });
    }

    [Test]
    public async Task A_second_serve_on_the_same_inbox_waits_instead_of_processing_the_same_files()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var first = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await first.WaitReadyAsync();
        await using var second = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        // Polled, not read once after a fixed delay: on a loaded machine the second serve may take longer to listen.
        var body = "";
        var waited = Stopwatch.StartNew();
        while (!body.Contains("another instance holds", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(30) && !second.HasExited)
        {
            await Task.Delay(500);
            body = await second.ReadinessAsync() ?? await RawReadinessAsync(second);
        }

        Assert.That(body, Does.Contain("another instance holds"), second.Output);
        Assert.That(second.HasExited, Is.False);

        first.Kill();
        await first.WaitForExitAsync();
        await second.WaitReadyAsync(body => body.Contains("\"folder: ", StringComparison.Ordinal), seconds: 20);
    }

    [Test]
    public async Task A_worker_that_cannot_go_on_stops_serve_with_exit_code_1_so_the_service_manager_restarts_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", FolderMarker);

        // The inbox path is a file: the folder source can never start.
        var notAFolder = cli.PathOf("inbox-is-a-file");
        await File.WriteAllTextAsync(notAFolder, "");
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={notAFolder}");
        Assert.That(await serve.WaitForExitAsync(60), Is.EqualTo(1), serve.Output);
        Assert.That(serve.Output, Does.Contain("the worker stopped"));
    }

    [Test]
    public async Task A_live_read_older_than_max_read_age_is_stored_but_not_alerted_and_a_fresh_one_is_alerted()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nST12ALE,SR-STALE,HIGH,avon-and-somerset,2099-12-31\n");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;

        // Alerting:MaxReadAge is the production default, 30 minutes: a read two hours old reaches the worker stale, one a
        // minute old is fresh. Different camera forces, so suppression cannot be what holds an alert back.
        var now = TestClock.UtcNow;
        await DropAsync(cli, inbox, "reads-1.jsonl",
        [
            $$"""{"readId":"stale-1","vrm":"ST12ALE","cameraId":"CAM-1","forceCode":"dorset","observedAt":"{{now.AddHours(-2):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
            $$"""{"readId":"fresh-1","vrm":"ST12ALE","cameraId":"CAM-2","forceCode":"wiltshire","observedAt":"{{now.AddMinutes(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
        ]);

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Alerting:MaxReadAge=00:30:00");
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "reads-1.receipt.json")), serve, "the file was not processed");

        var hits = (await GroundTruth.StoredAsync(cli)).ToDictionary(h => h!["readId"]!.GetValue<string>(), h => (h!["alerted"]!.GetValue<bool>(), h["notAlertedReason"]?.GetValue<string>()));
        Assert.That(hits, Is.EqualTo(new Dictionary<string, (bool, string?)> { ["stale-1"] = (false, "stale"), ["fresh-1"] = (true, null) }));
        var alerts = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "reads-1.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!["readId"]!.GetValue<string>()).ToList();
        Assert.That(alerts, Is.EqualTo(new[] { "fresh-1", "fresh-1" }), "one alert per routed force, for the fresh read only");
    }
}
