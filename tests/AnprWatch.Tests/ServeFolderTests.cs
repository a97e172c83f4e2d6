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
}
