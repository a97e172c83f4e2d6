using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>
/// Issue 17's held-out check: a Railcar scenario on seeds and sizes no other test uses, generated here, with cloned
/// plates and flagged locations, replayed and matched exactly against the simulator's own ground truth: every hit
/// (read, marker, match kind, forces, alerting, priority as raised by a location, review flag, locationRef), every
/// possibleClone with the read its cloneOfHitId points at, and the misread confirmations. The oracle is the
/// simulator's ground-truth.json and scenario.json, computed independently of the pipeline (brute force, own haversine).
/// </summary>
public class HeldOutScenarioTests
{
    [TestCase(58213, 3100)]
    [TestCase(9917, 1850)]
    public async Task A_scenario_no_test_has_seen_is_replayed_exactly_as_its_ground_truth_says(int seed, int vehicles)
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed, vehicles);
        var replay = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var expected = await GroundTruth.ExpectedAsync(sim);
        var stored = await GroundTruth.StoredAsync(cli);
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!;

        // The scenario exercises what it is held out for: cloned vehicles flagged, locations raising hits.
        var clones = expected.Count(h => h!["possibleClone"]!.GetValue<bool>());
        var raised = expected.Count(h => h!["locationRef"] is not null);
        TestContext.Out.WriteLine($"seed {seed}, {vehicles} vehicles: {expected.Count} hits, {clones} possible clones, {raised} location-raised, " +
                                  $"{scenario["clonedVehicles"]} cloned vehicles");
        Assert.That(clones, Is.GreaterThan(0).And.EqualTo(scenario["expectedPossibleClones"]!.GetValue<int>()));
        Assert.That(raised, Is.GreaterThan(0).And.EqualTo(scenario["expectedLocationRaised"]!.GetValue<int>()));

        // Every hit, as the rules decide it (priority raised by a location and its locationRef included).
        Assert.That(GroundTruth.Keys(stored), Is.EqualTo(GroundTruth.Keys(expected)));

        // Clones and confirmations: cloneOfHitId is the stored hit of the read the ground truth names (null when that
        // sighting was not a stored hit), and confirmations name the confirming read.
        var readOfHit = stored.ToDictionary(h => h!["hitId"]!.GetValue<string>(), h => h!["readId"]!.GetValue<string>());
        string Key(JsonNode h, string? cloneOfRead) =>
            $"{h["readId"]}|{h["markerVrm"]}|{h["suspectRef"]}|clone={h["possibleClone"]}|of={cloneOfRead}|confirmedBy={h["confirmingReadId"]}|{h["priority"]}|{h["locationRef"]}";
        Assert.That(stored.Select(h => Key(h!, h!["cloneOfHitId"]?.GetValue<string>() is { } of ? readOfHit[of] : null)).Order(StringComparer.Ordinal),
            Is.EqualTo(expected.Select(h => Key(h!, h!["cloneOfReadId"]?.GetValue<string>())).Order(StringComparer.Ordinal)));

        // The alert file carries each alerted hit's copies (a read can hit several markers of one vehicle: one hit each) (and each confirmation's), locationRef and possibleClone as stored.
        var lines = await File.ReadAllLinesAsync(Path.Combine(sim, "reads.alerts.jsonl"));
        Assert.That(lines, Has.Length.EqualTo(GroundTruth.ExpectedAlertMessages(expected)));
        var alerts = lines.Select(l => JsonNode.Parse(l)!).Where(a => !GroundTruth.IsConfirmation(a)).ToList();
        var alerted = expected.Where(h => h!["alerted"]!.GetValue<bool>()).ToList();
        Assert.That(alerts.Where(a => a["possibleClone"]!.GetValue<bool>()).Select(a => a["readId"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal),
            Is.EqualTo(alerted.Where(h => h!["possibleClone"]!.GetValue<bool>()).Select(h => h!["readId"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)));
        Assert.That(alerts.Where(a => a["locationRef"] is not null).Select(a => $"{a["readId"]}|{a["markerVrm"]}|{a["suspectRef"]}|{a["locationRef"]}|{a["priority"]}").Distinct().Order(StringComparer.Ordinal),
            Is.EqualTo(alerted.Where(h => h!["locationRef"] is not null).Select(h => $"{h!["readId"]}|{h["markerVrm"]}|{h["suspectRef"]}|{h["locationRef"]}|{h["priority"]}").Order(StringComparer.Ordinal)));
    }
}
