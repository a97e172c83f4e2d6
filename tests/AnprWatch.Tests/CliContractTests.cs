using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>DESIGN §4.2, §4.4 and §4.6 as a user meets them on the command line.</summary>
public class CliContractTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    private static async Task<string> WriteAsync(CliRunner cli, string name, string content)
    {
        var path = cli.PathOf(name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private static string Read(string readId, string vrm, string force, string observedAt)
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-1","forceCode":"{{force}}","observedAt":"{{observedAt}}","site":"=cmd|' /C calc'!A0","lat":51.1,"lon":-2.1}""";

    [Test]
    public async Task A_file_with_any_error_changes_nothing_and_exits_2_naming_every_bad_line()
    {
        using var cli = new CliRunner();
        var good = await WriteAsync(cli, "good.csv", $"{Header}\nAB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        Assert.That((await cli.RunAsync("markers", "import", good, "--force", "avon-and-somerset")).ExitCode, Is.Zero);

        var bad = await WriteAsync(cli, "bad.csv", $"{Header}\nXY99ZZZ,SR-2,HIGH,avon-and-somerset,2027-01-01,,,,,\n!!!,SR-3,HIGH,avon-and-somerset,2027-01-01,,,,,\nCD34EFG,SR-4,SEVERE,avon-and-somerset,2027-01-01,,,,,\n");
        var result = await cli.RunAsync("markers", "import", bad, "--force", "avon-and-somerset");
        var list = await cli.RunAsync("markers", "list", "--format", "json");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Err, Does.Contain("line 3:").And.Contain("line 4:").And.Contain("nothing was changed"));
            Assert.That(JsonNode.Parse(list.Out)!.AsArray().Select(m => m!["suspectRef"]!.GetValue<string>()), Is.EqualTo(new[] { "SR-1" }));
        });
    }

    [Test]
    public async Task Dry_run_shows_the_diff_and_changes_nothing()
    {
        using var cli = new CliRunner();
        var v1 = await WriteAsync(cli, "v1.csv", $"{Header}\nAB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,\nCD34EFG,SR-2,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        await cli.RunAsync("markers", "import", v1, "--force", "avon-and-somerset");
        var v2 = await WriteAsync(cli, "v2.csv", $"{Header}\nAB12CDE,SR-1,MEDIUM,avon-and-somerset,2027-01-01,,,,,\nEF56GHI,SR-3,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var dry = await cli.RunAsync("markers", "import", v2, "--force", "avon-and-somerset", "--dry-run");
        var list = await cli.RunAsync("markers", "list", "--format", "csv");
        Assert.Multiple(() =>
        {
            Assert.That(dry.ExitCode, Is.Zero);
            Assert.That(dry.Out, Does.Contain("added 1, removed 1, changed 1").And.Contain("~ AB12CDE SR-1: risk_level").And.Contain("nothing was changed"));
            Assert.That(list.Out, Does.Contain("SR-2").And.Not.Contain("SR-3"));
        });
    }

    [TestCase(new[] { "markers", "import", "missing.csv", "--force", "avon-and-somerset" }, "does not exist")]
    [TestCase(new[] { "markers", "list", "--force", "atlantis" }, "not a known force")]
    [TestCase(new[] { "hits", "list", "--from", "2026-13-01", "--to", "2026-12-01" }, "not a date")]
    [TestCase(new[] { "hits", "list", "--from", "2026-12-01", "--to", "2026-11-01" }, "before --from")]
    [TestCase(new[] { "hits", "list", "--from", "2026-12-01", "--to", "2026-12-02", "--vrm", "!!!" }, "not a valid VRM")]
    [TestCase(new[] { "markers", "list", "--format", "xml" }, "xml")]
    [TestCase(new[] { "markers", "import", "x.csv" }, "--force")]
    [TestCase(new[] { "replay" }, "Required argument missing")]
    [TestCase(new[] { "frobnicate" }, "frobnicate")]
    public async Task Invalid_input_exits_2_with_a_message(string[] args, string message)
    {
        // A fixed clock: on a later day the 90-day tier would refuse these periods before the VRM is looked at.
        using var cli = new CliRunner(clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)));
        var result = await cli.RunAsync(args);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
        Assert.That(result.Err, Does.Contain(message));
    }

    [Test]
    public async Task Hits_list_force_finds_a_forces_own_markers_seen_by_another_forces_camera()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        // TestHits' marker belongs to Avon and Somerset; this hit is from a Wiltshire camera.
        var hit = await TestHits.StoreAsync(cli, "r-elsewhere", camera: "wiltshire", observedAt: TestClock.UtcNow.AddHours(-1));
        var day = DateOnly.FromDateTime(hit.ObservedAt.UtcDateTime);
        async Task<string[]> ListAsync(string force)
        {
            var list = await cli.RunAsync("hits", "list", "--from", TestClock.Iso(day.AddDays(-1)), "--to", TestClock.Iso(day.AddDays(1)), "--force", force, "--format", "json");
            Assert.That(list.ExitCode, Is.Zero, list.Err);
            return JsonNode.Parse(list.Out)!.AsArray().Select(h => h!["readId"]!.GetValue<string>()).ToArray();
        }

        Assert.That(await ListAsync("avon-and-somerset"), Is.EqualTo(new[] { "r-elsewhere" }), "the host force's side");
        Assert.That(await ListAsync("wiltshire"), Is.EqualTo(new[] { "r-elsewhere" }), "the camera force's side");
        Assert.That(await ListAsync("dorset"), Is.Empty);
    }

    /// <summary>Found by an attack: settings serve and config check refuse were accepted by every other command.</summary>
    [TestCase("--Notify:Webhooks:0:Url=notaurl", "Notify:Webhooks:0:Url", "keys", "create", "--role", "admin", "--name", "k")]
    [TestCase("--Source:BatchSize=0", "Source:BatchSize", "keys", "list")]
    [TestCase("--Notify:Email:Recipients:0:Address=bad", "Notify:Email:Recipients:0:Address", "audit", "verify")]
    [TestCase("--Storage:Provider=oracle", "Storage:Provider", "simulate", "--scenario", "railcar", "--out", "sim")]
    [TestCase("--Http:Urls=ftp://x", "Http:Urls", "hits", "list", "--from", "2026-06-01", "--to", "2026-06-02")]
    public async Task Every_command_refuses_a_setting_serve_would_refuse_with_exit_2_naming_the_key(string setting, string key, params string[] command)
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var result = await cli.RunAsync([.. command, setting]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Out + result.Err);
            Assert.That(result.Err, Does.Contain("configuration " + key + ":"));
        });
    }

    [Test]
    public async Task Config_check_prints_the_effective_configuration_with_secrets_masked()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("config", "check", "--Kafka:Properties:sasl.password=hunter2", "--Kafka:Properties:sasl.username=anprwatch",
            "--Kafka:BootstrapServers=kafka1:9093");
        Assert.That(result.ExitCode, Is.Zero, result.Err);
        Assert.Multiple(() =>
        {
            Assert.That(result.Out, Does.Contain("Kafka:Properties:sasl.password = ********").And.Not.Contain("hunter2"));
            Assert.That(result.Out, Does.Contain("Kafka:Properties:sasl.username = anprwatch"));
            Assert.That(result.Out, Does.Contain("Kafka:BootstrapServers = kafka1:9093"));
        });

        // (The runner pins Storage:ConnectionString to its own file, so the connection-string rule is checked directly.)
        Assert.That(AnprWatch.Commands.ConfigCommands.Mask("Storage:ConnectionString", "Server=db;User ID=anprwatch;Password=s3cret;Encrypt=true"),
            Is.EqualTo("Server=db;User ID=anprwatch;Password=********;Encrypt=true"));

        var bad = await cli.RunAsync("config", "check", "--Source:Kind=carrier-pigeon");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Err, Does.Contain("Source:Kind"));
    }

    [Test]
    public async Task The_production_sample_configuration_passes_config_check()
    {
        using var cli = new CliRunner();
        var sample = Path.Combine(Kafka.KafkaBroker.RepositoryRoot, "deploy", "appsettings.production.json");
        var previous = Directory.GetCurrentDirectory();
        File.Copy(sample, cli.PathOf("appsettings.json"));
        Directory.SetCurrentDirectory(cli.Directory); // appsettings.json is read from the working directory too
        try
        {
            var result = await cli.RunAsync("config", "check");
            Assert.That(result.ExitCode, Is.Zero, result.Err);
            Assert.That(result.Out, Does.Contain("Kafka:ProducerProperties:enable.idempotence = true").And.Contain("Source:Kind = kafka"));
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    [Test]
    public async Task A_bad_configuration_value_names_its_key()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("markers", "list", "--Matching:MaxOcrSubstitutions=5");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Err, Does.Contain("Matching:MaxOcrSubstitutions"));
    }

    [Test]
    public async Task A_matching_read_with_an_over_long_lane_or_direction_is_dead_lettered_and_the_rest_of_the_file_is_replayed()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "m.csv", $"{Header}\nAB12CDE,SR-1,HIGH,avon-and-somerset,2099-06-01,,,,,\n"), "--force", "avon-and-somerset");
        string Line(string id, string field, int length)
            => $$"""{"readId":"{{id}}","vrm":"AB12CDE","cameraId":"CAM-1","forceCode":"wiltshire","observedAt":"2026-06-02T23:30:00+01:00","{{field}}":"{{new string('x', length)}}"}""";
        var reads = await WriteAsync(cli, "reads.jsonl", string.Join("\n",
            Line("lane-32", "lane", 32), Line("lane-33", "lane", 33), Line("direction-32", "direction", 32), Line("direction-33", "direction", 33)) + "\n");

        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "test: the lane and direction limits")).Out)!.AsArray();
        Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(new[] { "direction-32", "lane-32" }));
        var deadLetters = (await File.ReadAllLinesAsync(cli.PathOf("reads.dlq.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(deadLetters.Select(d => d["line"]!.GetValue<long>()), Is.EqualTo(new[] { 2L, 4L }));
        Assert.That(deadLetters.Select(d => d["reason"]!.GetValue<string>()), Has.Some.Contains("lane").And.Some.Contains("direction"));
    }

    [Test]
    public async Task Hits_list_json_carries_every_contract_field_and_csv_is_formula_safe()
    {
        using var cli = new CliRunner();
        var markers = await WriteAsync(cli, "m.csv", $"{Header}\nAB12CDE,SR-1,HIGH,avon-and-somerset,2026-06-01,,RAILCAR,\"Notify RIU, do not stop\",RIU,\n");
        await cli.RunAsync("markers", "import", markers, "--force", "avon-and-somerset");
        var reads = await WriteAsync(cli, "reads.jsonl", string.Join("\n",
            Read("r-1", "AB12 CDE", "wiltshire", "2026-06-02T23:30:00+01:00"),
            Read("r-2", "AB12CDE", "wiltshire", "2026-06-02T23:40:00+01:00"),
            Read("r-3", "A812CDE", "dorset", "2026-06-02T23:45:00+01:00"),
            Read("r-4", "AB12CDE", "avon-and-somerset", "2026-06-02T23:50:00+01:00"),
            "",
            Read("r-5", "ZZ99ZZZ", "wiltshire", "2026-06-02T23:55:00+01:00")) + "\n");
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "contract test")).Out)!.AsArray();
        string[] fields = ["alertId", "hitId", "readId", "vrm", "markerVrm", "matchKind", "verifyPlate", "observedAt", "cameraId", "site", "lat", "lon", "direction",
            "cameraForce", "hostForce", "risk", "priority", "suspectRef", "operation", "action", "contact", "reviewOverdue", "plateImageUrl", "overviewImageUrl",
            "markerId", "alerted", "notAlertedReason", "inForce", "outcome", "recordedAt", "possibleClone", "cloneOfHitId", "confirmedAt", "confirmingReadId", "locationRef"];
        Assert.Multiple(() =>
        {
            Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "r-1", "r-2", "r-3" }));
            foreach (var field in fields)
            {
                Assert.That(hits[0]!.AsObject().ContainsKey(field), Is.True, field);
            }

            Assert.That(hits[0]!["cameraForce"]!["region"]!.GetValue<string>(), Is.EqualTo("South West"));
            Assert.That(hits[0]!["priority"]!.GetValue<string>(), Is.EqualTo("urgent"));
            Assert.That(hits[0]!["reviewOverdue"]!.GetValue<bool>(), Is.True);
            Assert.That(hits[0]!["observedAt"]!.GetValue<string>(), Does.StartWith("2026-06-02T23:30:00+01:00"));
            Assert.That(hits[1]!["notAlertedReason"]!.GetValue<string>(), Is.EqualTo("suppressed"));
            Assert.That(hits[2]!["matchKind"]!.GetValue<string>(), Is.EqualTo("ocr-equivalent"));
            Assert.That(hits[2]!["alerted"]!.GetValue<bool>(), Is.True, "a different force re-alerts");
            Assert.That(hits[2]!["verifyPlate"]!.GetValue<bool>(), Is.True);
        });

        var csv = (await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "csv", "--justification", "contract test")).Out;
        Assert.That(csv, Does.Contain(",'=cmd|' /C calc'!A0,").And.Not.Contain(",=cmd"));
    }

    [Test]
    public async Task A_subject_access_lookup_is_audited_without_the_vrm()
    {
        using var cli = new CliRunner();
        var list = await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-30", "--vrm", "AB12CDE", "--user", "dpo", "--justification", "SAR 123 for the DPO");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={cli.Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT actor || '|' || action || '|' || subject || '|' || justification FROM audit_log";
        var entry = (string)(await command.ExecuteScalarAsync())!;
        Assert.That(entry, Does.StartWith("dpo|consult|hits 2026-06-01..2026-06-30").And.EndWith("|SAR 123 for the DPO"));
        Assert.That(entry, Does.Not.Contain("AB12CDE"));
    }
}
