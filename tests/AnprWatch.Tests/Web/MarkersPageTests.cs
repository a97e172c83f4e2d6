using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace AnprWatch.Tests.Web;

/// <summary>The bureau's Markers page in headless Chromium: check, preview, confirm, search and review.</summary>
[NonParallelizable]
public class MarkersPageTests
{
    [Test]
    public async Task A_bureau_user_sees_every_bad_line_then_previews_confirms_searches_and_records_a_review()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-web")).Out.Trim();
        await using var session = await SignedInPage.StartAsync(cli, key, "/markers");
        var page = session.Page;
        await page.SelectOptionAsync("#force", "kent");

        // A broken file: every bad line is listed and nothing is loaded.
        var broken = cli.PathOf("broken.csv");
        await File.WriteAllTextAsync(broken, "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,kent,2099-01-01\n!!!,SR-2,HIGH,kent,2099-01-01\nCD34EFG,SR-3,SEVERE,kent,2099-01-01\n");
        await page.SetInputFilesAsync("#file", broken);
        await page.ClickAsync("#preview");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("2 errors: nothing was changed");
        Assert.That(await page.Locator("#errors tbody tr td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "3", "4" }));
        Assert.That(await page.Locator("#confirm").IsDisabledAsync(), Is.True);

        // A good file: preview shows the diff, confirm loads it.
        var good = cli.PathOf("good.csv");
        await File.WriteAllTextAsync(good, "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,kent,2026-12-01\nCD34EFG,SR-3,MEDIUM,kent,2099-01-01\n");
        await page.SetInputFilesAsync("#file", good);
        await page.ClickAsync("#preview");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("2 added");
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--format", "json")).Out)!.AsArray(), Is.Empty, "a preview changes nothing");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("version 1 is active with 2 markers");

        await page.FillAsync("#search", "cd34");
        await Assertions.Expect(page.Locator("#active tbody tr")).ToHaveCountAsync(1);

        // SR-1's review falls due within 30 days: record it.
        var row = page.Locator("#due tbody tr[data-suspect='SR-1']");
        await row.Locator("input.next").FillAsync(TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await row.Locator("input.note").FillAsync("reviewed with the SIO");
        await row.Locator("button.save").ClickAsync();
        await Assertions.Expect(page.Locator("#due tbody tr[data-suspect='SR-1']")).ToHaveCountAsync(0);
        var markers = JsonNode.Parse((await cli.RunAsync("markers", "list", "--format", "json")).Out)!.AsArray();
        Assert.That(markers.Single(m => m!["suspectRef"]!.GetValue<string>() == "SR-1")!["reviewDue"]!.GetValue<string>(), Is.EqualTo(TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));

        // A file that drops both markers: the load is refused with the reason, and a second, deliberate click applies it.
        var truncated = cli.PathOf("truncated.csv");
        await File.WriteAllTextAsync(truncated, "vrm,suspect_ref,risk_level,host_force,review_due\nEF56GHI,SR-9,HIGH,kent,2099-01-01\n");
        await page.SetInputFilesAsync("#file", truncated);
        await page.ClickAsync("#preview");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("2 removed");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("would take 2 of the 2 alerting markers of kent out of matching");
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--format", "json")).Out)!.AsArray(), Has.Count.EqualTo(2), "nothing changed yet");
        await Assertions.Expect(page.Locator("#confirm")).ToHaveTextAsync("Confirm removals and load");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("is active with 1 markers");
    }

    /// <summary>
    /// Issue 17's bureau page and issue 14's scope: a key for kent sees only kent in the force list; the history shows
    /// who loaded each version, when, its SHA-256 and counts; a rollback previews its diff (old → new per field) and
    /// changes nothing until confirmed; overdue and expired markers are marked. Expected values are written out here.
    /// </summary>
    [Test]
    public async Task A_scoped_bureau_user_sees_history_previews_and_confirms_a_rollback_and_sees_overdue_and_expired_rows()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-kent", "--force", "kent")).Out.Trim();
        var today = TestClock.UkToday;
        string Day(int offset) => today.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // Version 1: SR-1 HIGH; SR-2's review is 10 days overdue; SR-3 expired 5 days ago. Version 2 lowers SR-1 to MEDIUM.
        const string header = "vrm,suspect_ref,risk_level,host_force,review_due,expires\n";
        var v1 = header + $"AB12CDE,SR-1,HIGH,kent,2099-01-01,\nCD34EFG,SR-2,HIGH,kent,{Day(-10)},\nEF56GHI,SR-3,MEDIUM,kent,2099-01-01,{Day(-5)}\n";
        var v2 = header + $"AB12CDE,SR-1,MEDIUM,kent,2099-01-01,\nCD34EFG,SR-2,HIGH,kent,{Day(-10)},\nEF56GHI,SR-3,MEDIUM,kent,2099-01-01,{Day(-5)}\n";
        var v1File = await cli.ImportCsvAsync("kent", v1, "v1.csv");
        await cli.ImportCsvAsync("kent", v2, "v2.csv");
        var v1Sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(v1File)));

        await using var session = await SignedInPage.StartAsync(cli, key, "/markers");
        var page = session.Page;

        // The force choice is the key's own force, and nothing else.
        Assert.That(await page.Locator("#force option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"), Is.EqualTo(new[] { "kent" }));
        Assert.That(await page.InputValueAsync("#force"), Is.EqualTo("kent"));

        // Overdue and expired rows are marked.
        await Assertions.Expect(page.Locator("#active tbody tr")).ToHaveCountAsync(3);
        Assert.That(await page.Locator("#active tbody tr.overdue td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "CD34EFG" }));
        Assert.That(await page.Locator("#active tbody tr.expired td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "EF56GHI" }));
        Assert.That(await page.Locator("#active tbody tr.overdue td.state").TextContentAsync(), Is.EqualTo("review overdue"));
        Assert.That(await page.Locator("#active tbody tr.expired td.state").TextContentAsync(), Is.EqualTo("expired"));

        // History: newest first, who, SHA-256 of the file, counts.
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2);
        var v1Row = page.Locator("#history tbody tr[data-version='1']");
        var v1Cells = (await v1Row.Locator("td").AllTextContentsAsync()).ToArray();
        Assert.That(v1Cells[0], Is.EqualTo("1"));
        Assert.That(v1Cells[1], Is.Empty, "version 1 is no longer active");
        Assert.That(v1Cells[3], Is.Not.Empty, "loaded by");
        Assert.That(v1Cells[5], Is.EqualTo(v1Sha));
        Assert.That(v1Cells[6..10], Is.EqualTo(new[] { "3", "3", "0", "0" }), "markers, added, removed, changed");
        Assert.That((await page.Locator("#history tbody tr[data-version='2'] td").AllTextContentsAsync())[1], Is.EqualTo("active"));

        // Preview: the diff old → new, and nothing changes.
        await v1Row.Locator("button.rollback").ClickAsync();
        await Assertions.Expect(page.Locator("#rollback-result")).ToContainTextAsync("Nothing has changed yet");
        Assert.That(await page.Locator("#rollback-diff tbody tr td").AllTextContentsAsync(), Is.EqualTo(new[] { "changed", "AB12CDE", "SR-1", "risk_level MEDIUM → HIGH" }));
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray()
            .Single(m => m!["suspectRef"]!.GetValue<string>() == "SR-1")!["riskLevel"]!.GetValue<string>(), Is.EqualTo("MEDIUM"), "a preview changes nothing");

        // Confirm: version 3 restores version 1.
        await page.ClickAsync("#rollback-confirm");
        await Assertions.Expect(page.Locator("#rollback-result")).ToContainTextAsync("version 3 restores version 1 (3 markers)");
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray()
            .Single(m => m!["suspectRef"]!.GetValue<string>() == "SR-1")!["riskLevel"]!.GetValue<string>(), Is.EqualTo("HIGH"));
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(3);
        Assert.That((await page.Locator("#history tbody tr[data-version='3'] td").AllTextContentsAsync())[4], Is.EqualTo("rollback v1"));
    }

    /// <summary>
    /// The markers page already asked for a second click when a load removes too much; a rollback does too, through the
    /// same page code as the location section. Version 1 holds one marker, version 2 three: rolling back to version 1
    /// would take 2 of the 3 out of matching, so it is refused with the reason and applied only on a second click.
    /// </summary>
    [Test]
    public async Task A_rollback_that_removes_too_many_markers_needs_a_second_click()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-kent", "--force", "kent")).Out.Trim();
        const string header = "vrm,suspect_ref,risk_level,host_force,review_due\n";
        await cli.ImportCsvAsync("kent", header + "AB12CDE,SR-1,HIGH,kent,2099-01-01\n", "v1.csv");
        await cli.ImportCsvAsync("kent", header + "AB12CDE,SR-1,HIGH,kent,2099-01-01\nCD34EFG,SR-2,HIGH,kent,2099-01-01\nEF56GHI,SR-3,MEDIUM,kent,2099-01-01\n", "v2.csv");
        async Task<string[]> Suspects() => JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray()
            .Select(m => m!["suspectRef"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();

        await using var session = await SignedInPage.StartAsync(cli, key, "/markers");
        var page = session.Page;

        await page.Locator("#history tbody tr[data-version='1'] button.rollback").ClickAsync();
        await Assertions.Expect(page.Locator("#rollback-result")).ToHaveTextAsync(
            "Rolling back kent to version 1 would make 0 added, 2 removed, 0 changed (1 unchanged). Nothing has changed yet.");
        Assert.That(await page.Locator("#rollback-diff tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => [...r.cells].map(c => c.textContent).join(' | '))"),
            Is.EquivalentTo(new[] { "removed | CD34EFG | SR-2 | HIGH", "removed | EF56GHI | SR-3 | MEDIUM" }));

        await page.ClickAsync("#rollback-confirm");
        await Assertions.Expect(page.Locator("#rollback-result")).ToContainTextAsync("rolling back to version 1 would take 2 of the 3 alerting markers of kent out of matching");
        await Assertions.Expect(page.Locator("#rollback-confirm")).ToHaveTextAsync("Confirm removals and roll back to v1");
        Assert.That(await Suspects(), Is.EqualTo(new[] { "SR-1", "SR-2", "SR-3" }), "a refused rollback changes nothing");

        await page.ClickAsync("#rollback-confirm");
        await Assertions.Expect(page.Locator("#rollback-result")).ToHaveTextAsync("Rolled back: version 3 restores version 1 (1 markers).");
        Assert.That(await Suspects(), Is.EqualTo(new[] { "SR-1" }));
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(3);
    }
}
