using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>`serve` with the embedded default source: files dropped into the inbox are processed once and moved to done/.</summary>
public class ServeFolderTests
{
    [Test]
    public async Task A_dropped_file_is_processed_once_and_moved_to_done_with_its_dead_letters_and_alerts()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nFD12ABC,SR-FOLDER,HIGH,avon-and-somerset,2099-12-31\n");

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var now = TestClock.UtcNow;
        var staging = cli.PathOf("staging.jsonl");
        await File.WriteAllLinesAsync(staging,
        [
            $$"""{"readId":"f-1","vrm":"FD12 ABC","cameraId":"CAM-9","forceCode":"dorset","observedAt":"{{now:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
            "not json",
            $$"""{"readId":"f-2","vrm":"XX99XXX","cameraId":"CAM-9","forceCode":"dorset","observedAt":"{{now:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
        ]);
        File.Move(staging, Path.Combine(inbox, "reads-1.jsonl")); // dropped by rename, as the README asks

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        var done = Path.Combine(inbox, "done", "reads-1.jsonl");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(done))
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the file was not processed\n" + serve.Output);
            await Task.Delay(200);
        }

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(File.Exists(Path.Combine(inbox, "reads-1.jsonl")), Is.False);
            var deadLetter = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "reads-1.dlq.jsonl"))).Single())!;
            Assert.That(deadLetter["line"]!.GetValue<long>(), Is.EqualTo(2));
            var alerts = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "reads-1.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.That(alerts.Select(a => a["routedTo"]!.GetValue<string>()), Is.EquivalentTo(new[] { "dorset", "avon-and-somerset" }));
            var hits = await GroundTruth.StoredAsync(cli);
            Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(new[] { "f-1" }));
        });
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
        var staging = cli.PathOf("staging.jsonl");
        await File.WriteAllLinesAsync(staging,
        [
            $$"""{"readId":"stale-1","vrm":"ST12ALE","cameraId":"CAM-1","forceCode":"dorset","observedAt":"{{now.AddHours(-2):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
            $$"""{"readId":"fresh-1","vrm":"ST12ALE","cameraId":"CAM-2","forceCode":"wiltshire","observedAt":"{{now.AddMinutes(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""",
        ]);
        File.Move(staging, Path.Combine(inbox, "reads-1.jsonl"));

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Alerting:MaxReadAge=00:30:00");
        var done = Path.Combine(inbox, "done", "reads-1.jsonl");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(done))
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the file was not processed\n" + serve.Output);
            await Task.Delay(200);
        }

        var hits = (await GroundTruth.StoredAsync(cli)).ToDictionary(h => h!["readId"]!.GetValue<string>(), h => (h!["alerted"]!.GetValue<bool>(), h["notAlertedReason"]?.GetValue<string>()));
        Assert.That(hits, Is.EqualTo(new Dictionary<string, (bool, string?)> { ["stale-1"] = (false, "stale"), ["fresh-1"] = (true, null) }));
        var alerts = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "reads-1.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!["readId"]!.GetValue<string>()).ToList();
        Assert.That(alerts, Is.EqualTo(new[] { "fresh-1", "fresh-1" }), "one alert per routed force, for the fresh read only");
    }
}
