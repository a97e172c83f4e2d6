using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>simulate → markers import → replay, checked against the simulator's independently computed ground truth.</summary>
public class ReplayGroundTruthTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [TestCase(20260501, 4000)]
    [TestCase(7, 2500)]
    public async Task Replay_reproduces_the_ground_truth_exactly(int seed, int vehicles)
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed, vehicles);

        var replay = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var expected = await GroundTruth.ExpectedAsync(sim);
        var actual = await GroundTruth.StoredAsync(cli);
        var expectedKeys = GroundTruth.Keys(expected);
        var actualKeys = GroundTruth.Keys(actual);
        Assert.That(expected, Is.Not.Empty);
        Assert.That(actualKeys, Is.EqualTo(expectedKeys));
        Assert.That(actual.Select(h => h!["verifyPlate"]!.GetValue<bool>()), Is.EqualTo(actual.Select(h => h!["matchKind"]!.GetValue<string>() == "ocr-equivalent")));

        // Every malformed line is dead-lettered with its line number and a reason; nothing else is.
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!;
        var malformedLines = scenario["malformed"]!.AsArray().Select(m => m!["line"]!.GetValue<long>()).Order().ToList();
        var deadLetters = (await File.ReadAllLinesAsync(Path.Combine(sim, "reads.dlq.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(deadLetters.Select(d => d["line"]!.GetValue<long>()).Order(), Is.EqualTo(malformedLines));
        Assert.That(deadLetters.Select(d => d["reason"]!.GetValue<string>()), Has.All.Not.Empty);

        // Each alerted hit is published twice (camera force and host force copies) with one alertId.
        var alerts = (await File.ReadAllLinesAsync(Path.Combine(sim, "reads.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        // A confirmed misread's alert follows again, both copies, with the same alertId and confirmedAt set (DESIGN §8).
        Assert.That(alerts, Has.Count.EqualTo(GroundTruth.ExpectedAlertMessages(expected)));
        Assert.That(alerts.GroupBy(a => (a["alertId"]!.GetValue<string>(), GroundTruth.IsConfirmation(a))).Select(g => g.Select(a => a["routedTo"]!.GetValue<string>()).Order().ToList()),
            Has.All.Matches<List<string>>(r => r.Count == 2 && r[0] != r[1]));
        Assert.That(alerts.Where(GroundTruth.IsConfirmation).Select(a => a["confirmingReadId"]!.GetValue<string>()).Distinct().Order(),
            Is.EqualTo(expected.Select(h => h!["confirmingReadId"]?.GetValue<string>()).OfType<string>().Distinct().Order()));

        Assert.That(replay.Out, Does.Contain($"hits         {expected.Count:N0}"));

        // The scenario's flagged locations raise some hits (their locationRef and priority are in the keys above).
        var raised = expected.Count(h => h!["locationRef"] is not null);
        Assert.That(raised, Is.GreaterThan(0).And.EqualTo(scenario["expectedLocationRaised"]!.GetValue<int>()));
        // Alerts only: a confirmation message (DESIGN §8) repeats its alert's fields, locationRef included.
        Assert.That(alerts.Count(a => a["locationRef"] is not null && !GroundTruth.IsConfirmation(a)), Is.EqualTo(2 * expected.Count(h => h!["locationRef"] is not null && h["alerted"]!.GetValue<bool>())));
    }

    [Test]
    public async Task Replaying_the_same_file_twice_neither_duplicates_nor_changes_a_hit()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 20260501, vehicles: 500); // the simulator's default seed

        var firstRun = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        Assert.That(firstRun.ExitCode, Is.Zero, firstRun.Err);
        var first = (await cli.RunAsync("hits", "list", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "json", "--justification", "replay ground truth test")).Out;
        var secondRun = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        Assert.That(secondRun.ExitCode, Is.Zero, "replaying a file already replayed is a success, not a failure\n" + secondRun.Err);
        var second = (await cli.RunAsync("hits", "list", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "json", "--justification", "replay ground truth test")).Out;
        Assert.That(JsonNode.Parse(second)!.AsArray(), Is.Not.Empty);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(JsonNode.Parse(second)!.AsArray(), Has.Count.EqualTo((await GroundTruth.ExpectedAsync(sim)).Count), "no hit lost or duplicated");
    }
}
