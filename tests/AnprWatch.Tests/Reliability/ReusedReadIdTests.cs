using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// A hit is idempotent on (readId, markerId). A read that reuses a readId for a different sighting (a camera whose
/// counter restarted, two vendors numbering alike) must not vanish behind the earlier hit: it is dead-lettered with a
/// reason, while a true re-delivery of the same read stays silent and idempotent. Expected outcomes are literal.
/// </summary>
public class ReusedReadIdTests
{
    private const string Markers = "vrm,suspect_ref,risk_level,host_force,review_due\nRU12SED,SR-REUSE,HIGH,avon-and-somerset,2099-12-31\n";

    private static string Read(string readId, string camera, string force, string observedAt)
        => $$"""{"readId":"{{readId}}","vrm":"RU12SED","cameraId":"{{camera}}","forceCode":"{{force}}","observedAt":"{{observedAt}}"}""";

    [Test]
    public async Task A_reused_read_id_is_dead_lettered_and_a_true_redelivery_is_not()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Markers);

        var first = cli.PathOf("first.jsonl");
        await File.WriteAllLinesAsync(first, [Read("cam-0001", "CAM-A", "dorset", "2026-06-01T10:00:00Z")]);
        Assert.That((await cli.RunAsync("replay", first)).ExitCode, Is.Zero);

        var second = cli.PathOf("second.jsonl");
        await File.WriteAllLinesAsync(second,
        [
            Read("cam-0001", "CAM-A", "dorset", "2026-06-01T10:00:00Z"),   // re-delivered: the same sighting
            Read("cam-0001", "CAM-B", "wiltshire", "2026-06-01T11:00:00Z"), // the id reused by another camera
            Read("cam-0002", "CAM-A", "dorset", "2026-06-01T12:00:00Z"),   // an ordinary new read
            Read("cam-0009", "CAM-A", "dorset", "2026-06-01T13:00:00Z"),   // two sightings under one id in one batch
            Read("cam-0009", "CAM-C", "devon-and-cornwall", "2026-06-01T14:00:00Z"),
        ]);
        var replay = await cli.RunAsync("replay", second);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var stored = (await GroundTruth.StoredAsync(cli)).Select(h => (h!["readId"]!.GetValue<string>(), h["cameraId"]!.GetValue<string>())).Order().ToList();
        var deadLetters = (await File.ReadAllLinesAsync(cli.PathOf("second.dlq.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo(new[] { ("cam-0001", "CAM-A"), ("cam-0002", "CAM-A"), ("cam-0009", "CAM-A") }));
            Assert.That(deadLetters.Select(d => d["line"]!.GetValue<long>()), Is.EqualTo(new[] { 2L, 5L }), "the reused ids, not the re-delivery");
            Assert.That(deadLetters.Select(d => d["reason"]!.GetValue<string>()), Has.All.StartWith("readId already used for a different sighting (camera CAM-A at 2026-06-01T1"));
            Assert.That(string.Join("\n", deadLetters.Select(d => d["reason"]!.GetValue<string>())), Does.Not.Contain("RU12SED"), "the reason names no plate");
        });
    }
}
