using System.Globalization;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>Retention (DESIGN §5): purge deletes exactly the hits past Retention:HitDays and records the erasure without plates.</summary>
public class RetentionTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Test]
    public async Task Purge_removes_hits_older_than_the_retention_period_and_audits_it_without_plates()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 31, vehicles: 500);
        await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"));
        var truth = await GroundTruth.ExpectedAsync(sim);

        // Keep 40 days: the cut falls inside the simulated period, so some hits go and some stay.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, London).DateTime);
        var cutoff = today.AddDays(-40);
        var keep = truth.Where(h => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(h!["observedAt"]!.GetValue<DateTimeOffset>(), London).DateTime) >= cutoff).ToList();
        Assert.That(keep, Is.Not.Empty.And.Count.LessThan(truth.Count), "the scenario straddles the cut");

        var purge = await cli.RunAsync("purge", "--Retention:HitDays=40", "--user", "dpo");
        Assert.That(purge.ExitCode, Is.Zero, purge.Err);
        Assert.That(purge.Out, Does.Contain($"purged {truth.Count - keep.Count:N0} hits"));
        var remaining = await GroundTruth.StoredAsync(cli);
        Assert.That(remaining.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(keep.Select(h => h!["readId"]!.GetValue<string>()).Order()));

        var audit = (await cli.RunAsync("audit", "list", "--from", today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", today.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--format", "json")).Out;
        var erase = JsonNode.Parse(audit)!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "erase");
        Assert.That(erase!["actor"]!.GetValue<string>(), Is.EqualTo("dpo"));
        Assert.That(erase["subject"]!.GetValue<string>(), Does.Contain($"{truth.Count - keep.Count} hits"));
        foreach (var plate in truth.Select(h => h!["markerVrm"]!.GetValue<string>()).Concat(truth.Select(h => h!["vrm"]!.GetValue<string>())).Distinct())
        {
            Assert.That(audit, Does.Not.Contain(plate));
        }
    }

    [Test]
    public async Task Serve_logs_a_review_due_summary_per_force_without_plates()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("kent", "vrm,suspect_ref,risk_level,host_force,review_due\nRV12DUE,SR-1,HIGH,kent,2026-01-01\nRV34DUE,SR-2,HIGH,kent,2099-01-01\n");
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!serve.Output.Contains("review-due summary", StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), serve.Output);
            await Task.Delay(200);
        }

        Assert.That(serve.Output, Does.Contain("kent has 1 markers overdue for review"));
        Assert.That(serve.Output, Does.Not.Contain("RV12DUE").And.Not.Contain("RV34DUE"));
    }
}
