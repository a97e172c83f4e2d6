using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace AnprWatch.Tests.Reports;

/// <summary>
/// Issue 17: the evaluation report's <c>reviewCompliance</c> is "markers overdue at the period's end", counted on the
/// marker list versions active at that time, not on today's. Kent loads version 1 in June and version 2 in July; the
/// June report must count version 1 (a marker removed in July still counts), the figures worked out by hand below.
/// </summary>
public class ReviewComplianceTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires\n";

    [Test]
    public async Task A_report_on_an_earlier_period_counts_the_list_as_it_stood_at_the_periods_end()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
        using var cli = new CliRunner(clock: clock);

        // Version 1, loaded 15 June. At 30 June: SR-1 is overdue (due 10 June); SR-2 is not (due 15 July); SR-3 expired
        // on 25 June (no longer active); SR-4 is due on 30 June itself (not yet overdue).
        await cli.ImportCsvAsync("kent", Header +
            "AB12CDE,SR-1,HIGH,kent,2026-06-10,\n" +
            "CD34EFG,SR-2,HIGH,kent,2026-07-15,\n" +
            "EF56GHI,SR-3,MEDIUM,kent,2026-06-20,2026-06-25\n" +
            "GH78IJK,SR-4,MEDIUM,kent,2026-06-30,\n", "v1.csv");

        // Version 2, loaded 10 July, after the period: SR-1 removed (1 of 4: confirmed), SR-2 corrected to a review due
        // on 1 June, SR-5 added, long overdue. Counted on today's list, June would lose SR-1 and gain SR-2 and SR-5 as overdue.
        clock.SetUtcNow(new DateTimeOffset(2026, 7, 10, 9, 0, 0, TimeSpan.Zero));
        await File.WriteAllTextAsync(cli.PathOf("v2.csv"), Header +
            "CD34EFG,SR-2,HIGH,kent,2026-06-01,\n" +
            "EF56GHI,SR-3,MEDIUM,kent,2026-06-20,2026-06-25\n" +
            "GH78IJK,SR-4,MEDIUM,kent,2026-06-30,\n" +
            "JK90LMN,SR-5,HIGH,kent,2026-05-01,\n");
        var v2 = await cli.RunAsync("markers", "import", cli.PathOf("v2.csv"), "--force", "kent", "--confirm-removals");
        Assert.That(v2.ExitCode, Is.Zero, v2.Err);

        async Task<JsonNode> Report(string from, string to, params string[] scope)
        {
            var path = cli.PathOf($"report-{from}-{to}.json");
            var result = await cli.RunAsync(["report", "evaluation", "--from", from, "--to", to, .. scope, "--format", "json", "--out", path]);
            Assert.That(result.ExitCode, Is.Zero, result.Err);
            return JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        }

        static string Json(string literal) => JsonNode.Parse(literal)!.ToJsonString();

        // June, version 1 at its end: SR-1, SR-2, SR-4 active (SR-3 expired); SR-1 alone overdue.
        Assert.That((await Report("2026-06-01", "2026-06-30"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-06-30","active":3,"overdue":1}""")));
        Assert.That((await Report("2026-06-01", "2026-06-30", "--force", "kent"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-06-30","active":3,"overdue":1}""")));
        Assert.That((await Report("2026-06-01", "2026-06-30", "--force", "dorset"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-06-30","active":0,"overdue":0}""")));

        // May ended before any list was loaded: nothing to count.
        Assert.That((await Report("2026-05-01", "2026-05-31"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-05-31","active":0,"overdue":0}""")));

        // 1–9 July: still version 1 at its end (version 2 came on the 10th). SR-1 and SR-4 are overdue on 9 July; SR-2 not.
        Assert.That((await Report("2026-07-01", "2026-07-09"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-07-09","active":3,"overdue":2}""")));

        // 1–10 July ends after version 2 was loaded: SR-2 (due 1 June), SR-4 and SR-5 active, all three overdue.
        Assert.That((await Report("2026-07-01", "2026-07-10"))["reviewCompliance"]!.ToJsonString(), Is.EqualTo(Json("""{"asOf":"2026-07-10","active":3,"overdue":3}""")));

        // The HTML chart draws the same June figures (2 in date, 1 overdue), not today's list (0 in date, 4 overdue).
        var html = cli.PathOf("june.html");
        var htmlRun = await cli.RunAsync("report", "evaluation", "--from", "2026-06-01", "--to", "2026-06-30", "--format", "html", "--out", html);
        Assert.That(htmlRun.ExitCode, Is.Zero, htmlRun.Err);
        var charts = await ReportCharts.ReadAsync(html);
        Assert.That(charts.Sections["review"]!.Bars(), Is.EqualTo(new Dictionary<string, string> { ["in date"] = "2", ["review overdue"] = "1" }));
        Assert.That(await File.ReadAllTextAsync(html), Does.Contain("Review compliance of the markers active at 2026-06-30"));

        // markers (DESIGN §4.5) still describe today's list: version 2, four markers, all four past their review on 10 July.
        Assert.That((await Report("2026-06-01", "2026-06-30"))["markers"]!.ToJsonString(), Is.EqualTo(Json("""{"active":4,"byRisk":{"HIGH":2,"MEDIUM":2,"LOW":0},"reviewOverdue":4}""")));
    }
}
