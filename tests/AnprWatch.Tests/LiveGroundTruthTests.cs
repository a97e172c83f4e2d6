using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AnprWatch.Tests.Web;

namespace AnprWatch.Tests;

/// <summary>
/// A live scenario (simulate --live-at): serve's folder source processes every read at one fixed instant, in batches of
/// any size, and must store exactly the simulator's ground truth, stale reads included. The simulator's oracle decides
/// staleness (a read older than --max-read-age at --live-at), never the engine's gate.
/// </summary>
public class LiveGroundTruthTests
{
    private static readonly DateTimeOffset LiveAt = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private const string MaxReadAge = "60.00:00:00";
    private static readonly DateTimeOffset Cut = LiveAt.AddDays(-60); // reads observed before this are stale

    /// <summary>"Now" fixed at one instant; timers are real, so serve's folder polling still runs.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [TestCase(1)]
    [TestCase(1000)]
    public async Task Serve_stores_the_live_scenarios_ground_truth_whatever_the_batch_size_with_stale_reads_never_alerted(int batchSize)
    {
        using var cli = new CliRunner();
        var sim = cli.PathOf("sim");
        var simulate = await cli.RunAsync("simulate", "--scenario", "railcar", "--out", sim, "--seed", "31", "--vehicles", "150",
            "--live-at", "2026-11-01T00:00:00Z", "--max-read-age", MaxReadAge);
        Assert.That(simulate.ExitCode, Is.Zero, simulate.Err);
        await GroundTruth.ImportMarkersAsync(cli, sim);
        var truth = await GroundTruth.ExpectedAsync(sim);

        // The oracle's answers on the probes, written out here: one second either side of the cut on one camera force
        // (the stale read suppresses nothing), then one vehicle crossing between two forces a second apart.
        var at = truth.ToLookup(h => DateTimeOffset.Parse(h!["observedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        string Decision(DateTimeOffset t) => string.Join(",", at[t].Select(h => h!["alerted"]!.GetValue<bool>() ? "alerted" : h["notAlertedReason"]!.GetValue<string>()));
        Assert.That(new[] { Cut.AddSeconds(-1), Cut, Cut.AddSeconds(10) }.Select(Decision), Is.EqualTo(new[] { "stale", "alerted", "suppressed" }));
        var crossing = Cut.AddHours(1);
        Assert.That(Enumerable.Range(0, 6).Select(s => Decision(crossing.AddSeconds(s))), Is.EqualTo(new[] { "alerted", "alerted", "suppressed", "suppressed", "suppressed", "suppressed" }));
        Assert.That(at[crossing].Concat(at[crossing.AddSeconds(1)]).Select(h => h!["cameraForce"]!.GetValue<string>()).Distinct().Count(), Is.EqualTo(2), "the crossing reads alternate between two forces");
        Assert.That(truth.Count(h => h!["notAlertedReason"]?.GetValue<string>() == "stale"), Is.GreaterThan(10));
        Assert.That(truth.Count(h => h!["alerted"]!.GetValue<bool>()), Is.GreaterThan(10));
        Assert.That(truth.Where(h => h!["notAlertedReason"]?.GetValue<string>() == "stale").Select(h => DateTimeOffset.Parse(h!["observedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture)), Has.All.LessThan(Cut));

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var staging = cli.PathOf("staging.jsonl");
        File.Copy(Path.Combine(sim, "reads.jsonl"), staging);
        File.Move(staging, Path.Combine(inbox, "live.jsonl"));
        await using (await InProcessServe.StartAsync(cli, new FixedClock(LiveAt), "--Source:Kind=folder", $"--Source:Path={inbox}",
            $"--Source:BatchSize={batchSize}", $"--Alerting:MaxReadAge={MaxReadAge}"))
        {
            var receipt = Path.Combine(inbox, "done", "live.receipt.json");
            var waited = Stopwatch.StartNew();
            while (!File.Exists(receipt))
            {
                Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromMinutes(5)), "the file was not processed");
                await Task.Delay(200);
            }
        }

        var stored = await GroundTruth.StoredAsync(cli);
        Assert.That(GroundTruth.Keys(stored), Is.EqualTo(GroundTruth.Keys(truth)));
        var alerts = await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "live.alerts.jsonl"));
        Assert.That(alerts, Has.Length.EqualTo(GroundTruth.ExpectedAlertMessages(truth)));
        Assert.That(alerts.Select(l => JsonNode.Parse(l)!["readId"]!.GetValue<string>()).Distinct(),
            Is.SubsetOf(truth.Where(h => h!["alerted"]!.GetValue<bool>() || h["confirmingReadId"] is not null).Select(h => h!["readId"]!.GetValue<string>())));
    }
}
