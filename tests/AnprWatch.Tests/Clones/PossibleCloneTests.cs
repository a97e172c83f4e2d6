using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Clones;

/// <summary>Possible cloned plates (issue 17, DESIGN §8) end to end: replay, the store, hit and alert JSON, the report.</summary>
public class PossibleCloneTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    // Bristol and London city centres: about 170 km apart (CloneRuleTests checks the distance).
    private static string Read(string readId, string force, string observedAt, (double Lat, double Lon)? at, string vrm = "AB12CDE")
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-{{readId}}","forceCode":"{{force}}","observedAt":"{{observedAt}}"{{(at is { } p ? $",\"lat\":{p.Lat},\"lon\":{p.Lon}" : "")}}}""";

    private static readonly (double, double) Bristol = (51.4545, -2.5879);
    private static readonly (double, double) London = (51.5074, -0.1278);

    private static async Task<JsonArray> HitsAsync(CliRunner cli)
        => JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-30", "--format", "json", "--justification", "possible clone test")).Out)!.AsArray();

    private static JsonNode ByRead(JsonArray hits, string readId) => hits.Single(h => h!["readId"]!.GetValue<string>() == readId)!;

    [Test]
    public async Task A_vehicle_read_in_Bristol_and_in_London_three_minutes_later_is_a_possible_clone()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,MEDIUM,wiltshire,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "avon-and-somerset", "2026-06-02T23:36:30+01:00", Bristol),
            Read("r-2", "metropolitan", "2026-06-02T23:39:30+01:00", London),
            Read("r-3", "avon-and-somerset", "2026-06-02T23:40:00+01:00", null),          // no position: never flags
            Read("r-4", "metropolitan", "2026-06-03T02:00:00+01:00", London),             // 2 h 20 min on: compared with nothing
        ]);
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        Assert.That(replay.Out, Does.Contain("clones       1 possible"));

        var hits = await HitsAsync(cli);
        var bristol = ByRead(hits, "r-1");
        Assert.Multiple(() =>
        {
            Assert.That(bristol["possibleClone"]!.GetValue<bool>(), Is.False);
            Assert.That(bristol["cloneOfHitId"], Is.Null);
            Assert.That(ByRead(hits, "r-2")["possibleClone"]!.GetValue<bool>(), Is.True);
            Assert.That(ByRead(hits, "r-2")["cloneOfHitId"]!.GetValue<string>(), Is.EqualTo(bristol["hitId"]!.GetValue<string>()));
            Assert.That(ByRead(hits, "r-3")["possibleClone"]!.GetValue<bool>(), Is.False);
            Assert.That(ByRead(hits, "r-4")["possibleClone"]!.GetValue<bool>(), Is.False);
        });

        // The alert (both routed copies) says so too.
        var alerts = (await File.ReadAllLinesAsync(cli.PathOf("reads.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).Where(a => a["readId"]!.GetValue<string>() == "r-2").ToList();
        Assert.That(alerts, Has.Count.EqualTo(2));
        Assert.That(alerts.Select(a => a["possibleClone"]!.GetValue<bool>()), Is.All.True);
        Assert.That(alerts.Select(a => a["cloneOfHitId"]!.GetValue<string>()), Is.All.EqualTo(bristol["hitId"]!.GetValue<string>()));
    }

    /// <summary>
    /// Both sightings on one force's cameras within the repeat window: the second cannot be the vehicle the first alert
    /// was about, so it alerts (the control room has not been sent to it) instead of being suppressed as a repeat. The
    /// expectations are literal: Minehead is about 70 km from Bristol, far beyond 200 km/h in 5 minutes.
    /// </summary>
    [Test]
    public async Task A_cloned_plate_on_the_same_forces_cameras_within_the_repeat_window_alerts_and_its_own_repeat_does_not()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,MEDIUM,wiltshire,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("s-1", "avon-and-somerset", "2026-06-02T23:00:00+01:00", Bristol),
            Read("s-2", "avon-and-somerset", "2026-06-02T23:05:00+01:00", (51.20, -3.48)), // Minehead, ~70 km in 5 min
            Read("s-3", "avon-and-somerset", "2026-06-02T23:06:00+01:00", (51.20, -3.48)), // Minehead a minute on: a repeat of s-2
            Read("s-4", "avon-and-somerset", "2026-06-02T23:07:00+01:00", (51.4600, -2.5900)), // Bristol again: a repeat of s-1
            Read("s-5", "avon-and-somerset", "2026-06-02T23:08:00+01:00", null),           // no position: a repeat of the latest alert
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);

        var hits = await HitsAsync(cli);
        Assert.Multiple(() =>
        {
            Assert.That(ByRead(hits, "s-1")["alerted"]!.GetValue<bool>(), Is.True);
            Assert.That(ByRead(hits, "s-2")["possibleClone"]!.GetValue<bool>(), Is.True);
            Assert.That(ByRead(hits, "s-2")["alerted"]!.GetValue<bool>(), Is.True, "a second vehicle is no repeat");
            Assert.That(ByRead(hits, "s-3")["notAlertedReason"]!.GetValue<string>(), Is.EqualTo("suppressed"));
            Assert.That(ByRead(hits, "s-4")["notAlertedReason"]!.GetValue<string>(), Is.EqualTo("suppressed"));
            Assert.That(ByRead(hits, "s-5")["notAlertedReason"]!.GetValue<string>(), Is.EqualTo("suppressed"));
        });
    }

    [Test]
    public async Task An_in_force_sighting_that_is_no_hit_still_counts_and_the_clone_names_no_hit()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nAB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "avon-and-somerset", "2026-06-02T23:36:30+01:00", Bristol),      // in force: no hit
            Read("r-2", "metropolitan", "2026-06-02T23:39:30+01:00", London),
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);
        var hits = await HitsAsync(cli);
        Assert.That(hits, Has.Count.EqualTo(1));
        Assert.That(hits[0]!["possibleClone"]!.GetValue<bool>(), Is.True);
        Assert.That(hits[0]!["cloneOfHitId"], Is.Null);
    }

    [Test]
    public async Task An_ocr_equivalent_read_is_no_sighting_it_may_be_another_vehicle()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "avon-and-somerset", "2026-06-02T23:36:30+01:00", Bristol),
            Read("r-2", "metropolitan", "2026-06-02T23:39:30+01:00", London, vrm: "A812CDE"),
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);
        var hits = await HitsAsync(cli);
        Assert.That(hits.Select(h => h!["matchKind"]!.GetValue<string>()), Is.EqualTo(new[] { "exact", "ocr-equivalent" }));
        Assert.That(hits.Select(h => h!["possibleClone"]!.GetValue<bool>()), Is.All.False);
    }

    [Test]
    public async Task Two_instances_on_one_store_see_each_others_sightings_through_the_store()
    {
        // Reads are partitioned by camera force: instance A handles Avon and Somerset, instance B the Metropolitan
        // area. Each is its own pipeline with its own memory (a separate replay), sharing one SQLite store.
        using var shared = new CliRunner();
        var markers = $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2027-01-01,,,,,\n";
        await shared.ImportCsvAsync("wiltshire", markers);
        var partitionA = shared.PathOf("avon.jsonl");
        var partitionB = shared.PathOf("metropolitan.jsonl");
        await File.WriteAllTextAsync(partitionA, Read("r-1", "avon-and-somerset", "2026-06-02T23:36:30+01:00", Bristol) + "\n");
        await File.WriteAllTextAsync(partitionB, Read("r-2", "metropolitan", "2026-06-02T23:39:30+01:00", London) + "\n");

        var instanceA = shared.RunAsync("replay", partitionA);
        Assert.That((await instanceA).ExitCode, Is.Zero);
        var instanceB = await shared.RunAsync("replay", partitionB);
        Assert.That(instanceB.ExitCode, Is.Zero, instanceB.Err);

        var hits = await HitsAsync(shared);
        Assert.That(ByRead(hits, "r-2")["possibleClone"]!.GetValue<bool>(), Is.True, "B found A's sighting in the store");
        Assert.That(ByRead(hits, "r-2")["cloneOfHitId"]!.GetValue<string>(), Is.EqualTo(ByRead(hits, "r-1")["hitId"]!.GetValue<string>()));

        // The control: the same B partition on a store of its own (no A hits) flags nothing.
        using var alone = new CliRunner();
        await alone.ImportCsvAsync("wiltshire", markers);
        Assert.That((await alone.RunAsync("replay", partitionB)).ExitCode, Is.Zero);
        Assert.That((await HitsAsync(alone)).Single()!["possibleClone"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Two_serve_processes_on_one_store_flag_a_clone_seen_by_the_other()
    {
        // Two real workers, each with its own folder source (its own partition of camera forces) and its own memory,
        // both running at once on one SQLite store: B learns of A's Bristol sighting only through the store.
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2027-01-01,,,,,\n");
        var inboxA = Directory.CreateDirectory(cli.PathOf("inbox-a")).FullName;
        var inboxB = Directory.CreateDirectory(cli.PathOf("inbox-b")).FullName;
        await using var a = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inboxA}");
        await using var b = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inboxB}");

        await DropAsync(cli, inboxA, "avon.jsonl", Read("r-1", "avon-and-somerset", "2026-06-02T23:36:30+01:00", Bristol));
        await ReceiptAsync(inboxA, "avon", a);
        await DropAsync(cli, inboxB, "metropolitan.jsonl", Read("r-2", "metropolitan", "2026-06-02T23:39:30+01:00", London));
        await ReceiptAsync(inboxB, "metropolitan", b);

        var hits = await HitsAsync(cli);
        Assert.That(ByRead(hits, "r-2")["possibleClone"]!.GetValue<bool>(), Is.True, a.Output + b.Output);
        Assert.That(ByRead(hits, "r-2")["cloneOfHitId"]!.GetValue<string>(), Is.EqualTo(ByRead(hits, "r-1")["hitId"]!.GetValue<string>()));
        var alert = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(inboxB, "done", "metropolitan.alerts.jsonl")))[0])!;
        Assert.That(alert["possibleClone"]!.GetValue<bool>(), Is.True);
    }

    private static async Task DropAsync(CliRunner cli, string inbox, string name, string line)
    {
        var staging = cli.PathOf($"staging-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(staging, line + "\n");
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-1));
        File.Move(staging, Path.Combine(inbox, name)); // dropped by rename, as the README asks
    }

    private static async Task ReceiptAsync(string inbox, string stem, Kafka.ServeProcess serve)
    {
        var receipt = Path.Combine(inbox, "done", stem + ".receipt.json");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(receipt))
        {
            Assert.That(clock.Elapsed < TimeSpan.FromSeconds(90) && !serve.HasExited, Is.True, $"{stem} was not processed\n{serve.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// A read at 0,0 (a camera without a GPS fix) is no sighting, in memory or from the store. Each replay below is its own
    /// run, so the second learns of the first's hits only through the store's latest positioned sighting: that query took
    /// a stored 0,0 hit for a position, flagged the next UK sighting as a clone of a car in the Gulf of Guinea, and hid the
    /// real sighting behind it. Expectations are literal: Bristol to London (about 170 km) in 12 minutes is a clone.
    /// </summary>
    [Test]
    public async Task A_stored_hit_at_0_0_is_no_sighting_for_a_later_run()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,MEDIUM,wiltshire,2027-01-01,,,,,\nCD34EFG,SR-2,MEDIUM,wiltshire,2027-01-01,,,,,\n");
        var first = cli.PathOf("first.jsonl");
        await File.WriteAllLinesAsync(first,
        [
            Read("z-1", "avon-and-somerset", "2026-06-02T22:00:00+01:00", (0, 0), vrm: "CD34EFG"),
            Read("z-3", "avon-and-somerset", "2026-06-02T22:00:00+01:00", Bristol),
            Read("z-4", "avon-and-somerset", "2026-06-02T22:10:00+01:00", (0, 0)),
        ]);
        var second = cli.PathOf("second.jsonl");
        await File.WriteAllLinesAsync(second,
        [
            Read("z-2", "avon-and-somerset", "2026-06-02T22:30:00+01:00", Bristol, vrm: "CD34EFG"),
            Read("z-5", "metropolitan", "2026-06-02T22:12:00+01:00", London),
        ]);
        Assert.That((await cli.RunAsync("replay", first)).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("replay", second)).ExitCode, Is.Zero);

        var hits = await HitsAsync(cli);
        Assert.Multiple(() =>
        {
            Assert.That(ByRead(hits, "z-2")["possibleClone"]!.GetValue<bool>(), Is.False, "0,0 is no position: Bristol is no clone of it");
            Assert.That(ByRead(hits, "z-5")["possibleClone"]!.GetValue<bool>(), Is.True);
            Assert.That(ByRead(hits, "z-5")["cloneOfHitId"]!.GetValue<string>(), Is.EqualTo(ByRead(hits, "z-3")["hitId"]!.GetValue<string>()),
                "the Bristol sighting, not the later 0,0 read, is the one London is impossible with");
        });
    }

    [TestCase("Matching:CloneSpeedKmh", "fast")]
    [TestCase("Matching:CloneSpeedKmh", "-1")]
    [TestCase("Matching:CloneMinDistanceKm", "0")]
    [TestCase("Matching:CloneMinInterval", "soon")]
    [TestCase("Matching:CloneWindow", "00:00:00")]
    [TestCase("Matching:CloneSightings", "0")]
    public async Task A_bad_clone_setting_names_its_key(string key, string value)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("markers", "list", $"--{key}={value}");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Err, Does.Contain(key));
    }

    [Test]
    public async Task The_speed_limit_comes_from_configuration()
    {
        // Bristol then London an hour later: 170 km/h, under the default 200 but over a configured 150.
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "avon-and-somerset", "2026-06-02T22:00:00+01:00", Bristol),
            Read("r-2", "metropolitan", "2026-06-02T23:00:00+01:00", London),
        ]);
        Assert.That((await cli.RunAsync("replay", reads, "--Matching:CloneSpeedKmh=150")).ExitCode, Is.Zero);
        Assert.That(ByRead(await HitsAsync(cli), "r-2")["possibleClone"]!.GetValue<bool>(), Is.True);
    }

    [TestCase(20260501, 3000)]
    [TestCase(11, 2000)]
    public async Task Replay_flags_exactly_the_simulated_clones_and_measures_detections_and_false_alarms(int seed, int vehicles)
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed, vehicles);
        var replay = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var expected = await GroundTruth.ExpectedAsync(sim);
        var stored = await GroundTruth.StoredAsync(cli);
        var readOfHit = stored.ToDictionary(h => h!["hitId"]!.GetValue<string>(), h => h!["readId"]!.GetValue<string>());
        string Key(JsonNode h, string? cloneOfRead, string? confirmingRead)
            => $"{h["readId"]}|{h["markerVrm"]}|{h["suspectRef"]}|clone={h["possibleClone"]}|of={cloneOfRead}|confirmedBy={confirmingRead}";
        var expectedKeys = expected.Select(h => Key(h!, h!["cloneOfReadId"]?.GetValue<string>(), h!["confirmingReadId"]?.GetValue<string>())).Order(StringComparer.Ordinal).ToList();
        var actualKeys = stored.Select(h => Key(h!, h!["cloneOfHitId"]?.GetValue<string>() is { } of ? readOfHit[of] : null, h!["confirmingReadId"]?.GetValue<string>())).Order(StringComparer.Ordinal).ToList();
        Assert.That(actualKeys, Is.EqualTo(expectedKeys), "replay matches the simulator's possibleClone / cloneOf / confirmation ground truth exactly");

        // What really happened: a flag is a detection when a cloned copy made one of the two sightings, a false alarm
        // otherwise (an honest vehicle never exceeds the rule's speed in the simulator, so there must be none).
        var flagged = stored.Where(h => h!["possibleClone"]!.GetValue<bool>()).Select(h => h!["readId"]!.GetValue<string>()).ToHashSet();
        var involved = expected.Where(h => h!["clonedVehicleInvolved"]!.GetValue<bool>()).Select(h => h!["readId"]!.GetValue<string>()).ToHashSet();
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!;
        var detections = flagged.Count(involved.Contains);
        var falseAlarms = flagged.Count(r => !involved.Contains(r));
        TestContext.Out.WriteLine($"seed {seed}: {scenario["clonedVehicles"]} cloned vehicles, {detections} detections, {falseAlarms} false alarms");
        Assert.Multiple(() =>
        {
            Assert.That(scenario["clonedVehicles"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(detections, Is.GreaterThanOrEqualTo(3), "every cloned vehicle is caught at least once");
            Assert.That(falseAlarms, Is.Zero);
            Assert.That(flagged, Has.Count.EqualTo(scenario["expectedPossibleClones"]!.GetValue<int>()));
            Assert.That(replay.Out, Does.Contain($"clones       {flagged.Count:N0} possible"));
        });

        // The evaluation report counts them (and the confirmed misreads) in its hits section.
        var report = cli.PathOf("report.json");
        var run = await cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "json", "--out", report, "--justification", "possible clone test");
        Assert.That(run.ExitCode, Is.Zero, run.Err);
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(report))!["hits"]!;
        Assert.That(figures["possibleClones"]!.GetValue<int>(), Is.EqualTo(scenario["expectedPossibleClones"]!.GetValue<int>()));
        Assert.That(figures["confirmedMisreads"]!.GetValue<int>(), Is.EqualTo(scenario["expectedConfirmations"]!.GetValue<int>()));
    }
}
