using System.Text.Json.Nodes;
using AnprWatch.Hosting;
using AnprWatch.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AnprWatch.Tests;

/// <summary>
/// Retention (DESIGN §5): `purge` and serve's daily job delete exactly the hits past Retention:HitDays, counted in UK
/// local days, and record the erasure without plates. Every test here runs on a fixed clock: the simulated data is
/// dated 2026, and a cut-off taken from the real clock would stop falling inside it.
/// </summary>
public class RetentionTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>"Now" for these tests: Monday 30 November 2026, 12:00 UTC (GMT).</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    // With Retention:HitDays=61 on 2026-11-30 the oldest UK day kept is 2026-09-30 (still BST): it starts at
    // 2026-09-29T23:00Z. Written out here, not computed with the production's UkTime.
    private const int BoundaryDays = 61;
    private static readonly DateTimeOffset FirstInstantKept = new(2026, 9, 29, 23, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Purge_removes_hits_older_than_the_retention_period_and_audits_it_without_plates()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        var sim = await GroundTruth.SimulateAsync(cli, seed: 31, vehicles: 500);
        Assert.That((await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"))).ExitCode, Is.Zero);
        var truth = await GroundTruth.ExpectedAsync(sim);

        // Keep 40 days: on 2026-11-30 the oldest UK day kept is 2026-10-21, inside the simulated May–October period.
        var cutoff = new DateOnly(2026, 10, 21);
        var keep = truth.Where(h => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(h!["observedAt"]!.GetValue<DateTimeOffset>(), London).DateTime) >= cutoff).ToList();
        Assert.That(keep, Is.Not.Empty.And.Count.LessThan(truth.Count), "the scenario straddles the cut");

        var purge = await cli.RunAsync("purge", "--Retention:HitDays=40", "--user", "dpo");
        Assert.That(purge.ExitCode, Is.Zero, purge.Err);
        Assert.That(purge.Out, Does.Contain($"purged {truth.Count - keep.Count:N0} hits"));
        var remaining = await GroundTruth.StoredAsync(cli);
        Assert.That(remaining.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(keep.Select(h => h!["readId"]!.GetValue<string>()).Order()));

        var audit = (await cli.RunAsync("audit", "list", "--from", "2026-11-29", "--to", "2026-12-01", "--format", "json")).Out;
        var erase = JsonNode.Parse(audit)!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "erase");
        Assert.That(erase!["actor"]!.GetValue<string>(), Is.EqualTo("dpo"));
        Assert.That(erase["subject"]!.GetValue<string>(), Does.Contain($"{truth.Count - keep.Count} hits"));
        foreach (var plate in truth.Select(h => h!["markerVrm"]!.GetValue<string>()).Concat(truth.Select(h => h!["vrm"]!.GetValue<string>())).Distinct())
        {
            Assert.That(audit, Does.Not.Contain(plate));
        }
    }

    /// <summary>One hit in the last millisecond of the day that goes, one in the first millisecond of the day kept.</summary>
    private static async Task<(string Gone, string Kept)> StoreBoundaryHitsAsync(CliRunner cli)
    {
        await TestHits.StoreAsync(cli, "last-instant-purged", observedAt: FirstInstantKept.AddMilliseconds(-1));
        await TestHits.StoreAsync(cli, "first-instant-kept", observedAt: FirstInstantKept);
        return ("last-instant-purged", "first-instant-kept");
    }

    private static async Task<List<string>> StoredReadIdsAsync(CliRunner cli)
        => await cli.ColumnAsync("SELECT read_id FROM hits ORDER BY read_id");

    [Test]
    public async Task Purge_keeps_the_whole_oldest_uk_day_of_the_retention_period_and_deletes_the_day_before()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var (gone, kept) = await StoreBoundaryHitsAsync(cli);

        var purge = await cli.RunAsync("purge", $"--Retention:HitDays={BoundaryDays}", "--user", "dpo");
        Assert.That(purge.ExitCode, Is.Zero, purge.Err);
        Assert.That(await StoredReadIdsAsync(cli), Is.EqualTo(new[] { kept }), $"{gone} is from 2026-09-29 (UK), {kept} from 2026-09-30");
    }

    [Test]
    public async Task Serve_purges_at_start_up_at_the_same_boundary_and_again_each_day()
    {
        var clock = new FakeTimeProvider(Now);
        using var cli = new CliRunner(clock: clock);
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var (_, kept) = await StoreBoundaryHitsAsync(cli);
        // First instant of 2026-10-01 (UK, BST): kept on the 30th, still kept on 1 December.
        await TestHits.StoreAsync(cli, "kept-a-day-longer", observedAt: new DateTimeOffset(2026, 9, 30, 23, 0, 0, TimeSpan.Zero));

        // The housekeeping service exactly as serve registers it (ServeCommand.AddAnprWatchWorker), on the fixed clock.
        var configuration = AppConfiguration.Build([$"--Storage:ConnectionString=Data Source={cli.Database}", $"--Retention:HitDays={BoundaryDays}"]);
        var services = AppServices.Create(configuration, clock);
        using var housekeeping = new DailyHousekeeping(services, ServeOptions.Load(configuration), new Storage.Notifications.OutboxStore(services.Database), NullLogger<DailyHousekeeping>.Instance);
        await housekeeping.StartAsync(CancellationToken.None);
        try
        {
            await WaitForErasuresAsync(cli, 1);
            Assert.That(await StoredReadIdsAsync(cli), Is.EqualTo(new[] { kept, "kept-a-day-longer" }).AsCollection, "start-up purge on 2026-11-30");

            // A day later the oldest day kept is 2026-10-01: the 30 September hit goes, the 1 October one stays.
            clock.Advance(TimeSpan.FromDays(1));
            await WaitForErasuresAsync(cli, 2);
            Assert.That(await StoredReadIdsAsync(cli), Is.EqualTo(new[] { "kept-a-day-longer" }), "daily purge on 2026-12-01");
        }
        finally
        {
            await housekeeping.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task Two_replicas_on_one_store_purge_once_a_day_with_one_erasure_entry_between_them()
    {
        var clock = new FakeTimeProvider(Now);
        using var cli = new CliRunner(clock: clock);
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await StoreBoundaryHitsAsync(cli);

        // Two housekeeping services exactly as serve registers them, each with its own AppServices (own pools), started together.
        string[] args = [$"--Storage:ConnectionString=Data Source={cli.Database}", $"--Retention:HitDays={BoundaryDays}"];
        using var first = Housekeeping(args, clock);
        using var second = Housekeeping(args, clock);
        await Task.WhenAll(first.StartAsync(CancellationToken.None), second.StartAsync(CancellationToken.None));
        try
        {
            await WaitForErasuresAsync(cli, 1);
            await Task.Delay(2000); // the other replica had every chance to purge and audit too
            Assert.That((await cli.ColumnAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'erase'")).Single(), Is.EqualTo("1"));

            clock.Advance(TimeSpan.FromDays(1));
            await WaitForErasuresAsync(cli, 2);
            await Task.Delay(2000);
            Assert.That((await cli.ColumnAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'erase'")).Single(), Is.EqualTo("2"), "one more the next day, not two");
        }
        finally
        {
            await Task.WhenAll(first.StopAsync(CancellationToken.None), second.StopAsync(CancellationToken.None));
        }
    }

    private static DailyHousekeeping Housekeeping(string[] args, TimeProvider clock)
    {
        var configuration = AppConfiguration.Build(args);
        var services = AppServices.Create(configuration, clock);
        return new DailyHousekeeping(services, ServeOptions.Load(configuration), new Storage.Notifications.OutboxStore(services.Database), NullLogger<DailyHousekeeping>.Instance);
    }

    private static async Task WaitForErasuresAsync(CliRunner cli, int count)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await cli.ColumnAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'erase'")).Single() != count.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"serve's purge number {count} did not run");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task Serve_logs_a_review_due_summary_per_force_without_plates()
    {
        using var cli = new CliRunner();
        var today = TestClock.UkToday;
        await cli.ImportCsvAsync("kent", $"vrm,suspect_ref,risk_level,host_force,review_due\nRV12DUE,SR-1,HIGH,kent,{TestClock.Iso(today.AddDays(-30))}\nRV34DUE,SR-2,HIGH,kent,{TestClock.Iso(today.AddDays(60))}\n");
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!serve.Output.Contains("review-due summary", StringComparison.Ordinal))
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), serve.Output);
            await Task.Delay(200);
        }

        Assert.That(serve.Output, Does.Contain("kent has 1 markers overdue for review and 0 due within 7 days"));
        Assert.That(serve.Output, Does.Not.Contain("RV12DUE").And.Not.Contain("RV34DUE"));
    }
}
