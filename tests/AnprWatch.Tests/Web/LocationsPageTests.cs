using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace AnprWatch.Tests.Web;

/// <summary>The Markers page's "Flagged CSE locations" section in headless Chromium: errors by line, preview, confirm, list with status.</summary>
[NonParallelizable]
public class LocationsPageTests
{
    [Test]
    public async Task A_bureau_user_sees_every_bad_line_previews_confirms_and_sees_expired_and_overdue_locations_marked()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-locations")).Out.Trim();
        await using var session = await SignedInPage.StartAsync(cli, key, "/markers");
        var page = session.Page;
        await page.SelectOptionAsync("#loc-force", "dorset");

        const string Header = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires";
        var broken = cli.PathOf("broken.csv");
        await File.WriteAllTextAsync(broken, $"{Header}\nLOC-1,Car park,50.7,-2.3,150,HIGH,dorset,2099-01-01,\nLOC-2,Car park,95,-2.3,150,HIGH,dorset,2099-01-01,\nLOC-3,Car park,50.7,-2.3,150,HIGH,kent,2099-01-01,\n");
        await page.SetInputFilesAsync("#loc-file", broken);
        await page.ClickAsync("#loc-preview");
        await Assertions.Expect(page.Locator("#loc-result")).ToContainTextAsync("2 errors: nothing was changed");
        Assert.That(await page.Locator("#loc-errors tbody tr td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "3", "4" }));
        Assert.That(await page.Locator("#loc-confirm").IsDisabledAsync(), Is.True);

        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var today = TestClock.UkToday;
        var good = cli.PathOf("good.csv");
        await File.WriteAllTextAsync(good, $"{Header}\nLOC-A,\"Park, gate\",50.7,-2.3,150,HIGH,dorset,{Iso(today.AddMonths(3))},\n" +
            $"LOC-E,Expired,50.8,-2.3,150,HIGH,dorset,{Iso(today.AddMonths(3))},{Iso(today.AddDays(-2))}\nLOC-O,Overdue,50.9,-2.3,150,MEDIUM,dorset,{Iso(today.AddDays(-2))},\n");
        await page.SetInputFilesAsync("#loc-file", good);
        await page.ClickAsync("#loc-preview");
        await Assertions.Expect(page.Locator("#loc-result")).ToContainTextAsync("Valid: 3 locations (3 added, 0 removed, 0 changed, 0 unchanged)");
        Assert.That(await page.Locator("#loc-warnings tbody tr td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "3", "4" }));
        Assert.That(JsonNode.Parse((await cli.RunAsync("locations", "list", "--format", "json")).Out)!.AsArray(), Is.Empty, "a preview changes nothing");
        await page.ClickAsync("#loc-confirm");
        await Assertions.Expect(page.Locator("#loc-result")).ToContainTextAsync("location list version 1 is active with 3 locations");

        await Assertions.Expect(page.Locator("#loc-active tbody tr")).ToHaveCountAsync(3);
        Assert.That(await page.Locator("#loc-active tbody tr td:first-child").AllTextContentsAsync(), Is.EqualTo(new[] { "LOC-A", "LOC-E", "LOC-O" }));
        Assert.That(await page.Locator("#loc-active tbody tr td:last-child").AllTextContentsAsync(), Is.EqualTo(new[] { "active", "expired", "review-overdue" }));
        Assert.That(await page.Locator("#loc-active tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.className)"), Is.EqualTo(new[] { "", "error", "warn" }));

        // A changed radius shows old → new before it is confirmed.
        var changed = cli.PathOf("changed.csv");
        await File.WriteAllTextAsync(changed, (await File.ReadAllTextAsync(good)).Replace("50.7,-2.3,150", "50.7,-2.3,300", StringComparison.Ordinal));
        await page.SetInputFilesAsync("#loc-file", changed);
        await page.ClickAsync("#loc-preview");
        await Assertions.Expect(page.Locator("#loc-result")).ToContainTextAsync("(0 added, 0 removed, 1 changed, 2 unchanged)");
        Assert.That(await page.Locator("#loc-diff tbody tr td").AllTextContentsAsync(), Is.EqualTo(new[] { "changed", "LOC-A", "radius_m 150 → 300" }));
    }

    /// <summary>
    /// Issue 17: the location section gets the marker section's history and rollback, and the removal guard's second
    /// step. A Dorset bureau key: version 1 (one place, 150 m) and version 2 (three places, LOC-A widened to 300 m) are
    /// in the history; rolling back to version 1 previews old → new, is refused with the reason (2 of 3 places out of
    /// use) and applied on a second, deliberate click; a file dropping the one place left needs the same second click.
    /// Every expected text is written out here.
    /// </summary>
    [Test]
    public async Task A_scoped_bureau_user_previews_a_location_rollback_and_confirms_removals_in_a_second_step()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-dorset", "--force", "dorset")).Out.Trim();
        const string Header = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\n";
        var v1 = Header + "LOC-A,Park gate,50.7,-2.3,150,HIGH,dorset,2099-01-01\n";
        var v2 = Header + "LOC-A,Park gate,50.7,-2.3,300,HIGH,dorset,2099-01-01\nLOC-B,Lay-by,50.8,-2.3,200,HIGH,dorset,2099-01-01\nLOC-C,Station,50.9,-2.3,250,MEDIUM,dorset,2099-01-01\n";
        foreach (var (name, csv) in new[] { ("v1.csv", v1), ("v2.csv", v2) })
        {
            await File.WriteAllTextAsync(cli.PathOf(name), csv);
            var import = await cli.RunAsync("locations", "import", cli.PathOf(name), "--force", "dorset", "--user", "r.smith", "--confirm-removals");
            Assert.That(import.ExitCode, Is.Zero, import.Err);
        }

        var v1Sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(v1)));
        async Task<string[]> Refs() => JsonNode.Parse((await cli.RunAsync("locations", "list", "--force", "dorset", "--format", "json")).Out)!.AsArray()
            .Select(l => $"{l!["locationRef"]} {l["radiusM"]}").ToArray();

        await using var session = await SignedInPage.StartAsync(cli, key, "/markers");
        var page = session.Page;
        Assert.That(await page.Locator("#loc-force option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"), Is.EqualTo(new[] { "dorset" }));

        // History: newest first, who, the SHA-256 of the file, counts; only earlier versions offer a rollback.
        await Assertions.Expect(page.Locator("#loc-history tbody tr")).ToHaveCountAsync(2);
        Assert.That(await page.Locator("#loc-history-force").TextContentAsync(), Is.EqualTo("Dorset Police"));
        var v1Cells = (await page.Locator("#loc-history tbody tr[data-version='1'] td").AllTextContentsAsync()).ToArray();
        Assert.That(new[] { v1Cells[0], v1Cells[1], v1Cells[3], v1Cells[4], v1Cells[5] }, Is.EqualTo(new[] { "1", "", "r.smith", "import", v1Sha }));
        Assert.That(v1Cells[6..10], Is.EqualTo(new[] { "1", "1", "0", "0" }), "locations, added, removed, changed");
        var v2Cells = (await page.Locator("#loc-history tbody tr[data-version='2'] td").AllTextContentsAsync()).ToArray();
        Assert.That(new[] { v2Cells[0], v2Cells[1], v2Cells[3], v2Cells[4], v2Cells[5] }, Is.EqualTo(new[]
            { "2", "active", "r.smith", "import", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(v2))) }));
        Assert.That(v2Cells[6..11], Is.EqualTo(new[] { "3", "2", "0", "1", "" }), "locations, added, removed, changed, no rollback to the active version");
        Assert.That(await page.Locator("#loc-history tbody tr[data-version='2'] button.rollback").CountAsync(), Is.Zero);

        // Preview the rollback to version 1: old → new, two places removed, and nothing changes.
        await page.Locator("#loc-history tbody tr[data-version='1'] button.rollback").ClickAsync();
        await Assertions.Expect(page.Locator("#loc-rollback-result")).ToHaveTextAsync(
            "Rolling back dorset location list to version 1 would make 0 added, 2 removed, 1 changed (0 unchanged). Nothing has changed yet.");
        Assert.That(await page.Locator("#loc-rollback-diff tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => [...r.cells].map(c => c.textContent).join(' | '))"), Is.EqualTo(new[]
        {
            "removed | LOC-B | Lay-by (200 m, HIGH)",
            "removed | LOC-C | Station (250 m, MEDIUM)",
            "changed | LOC-A | radius_m 300 → 150",
        }));
        Assert.That(await Refs(), Is.EqualTo(new[] { "LOC-A 300", "LOC-B 200", "LOC-C 250" }), "a preview changes nothing");

        // Confirm: refused with the reason (2 of 3 places out of use), still nothing changed; a second click applies it.
        await Assertions.Expect(page.Locator("#loc-rollback-confirm")).ToHaveTextAsync("Confirm rollback to v1");
        await page.ClickAsync("#loc-rollback-confirm");
        await Assertions.Expect(page.Locator("#loc-rollback-result")).ToContainTextAsync("rolling back to version 1 would take 2 of the 3 raising locations of dorset out of use (2 removed, 0 expired");
        await Assertions.Expect(page.Locator("#loc-rollback-confirm")).ToHaveTextAsync("Confirm removals and roll back to v1");
        Assert.That(await Refs(), Is.EqualTo(new[] { "LOC-A 300", "LOC-B 200", "LOC-C 250" }), "a refused rollback changes nothing");
        await page.ClickAsync("#loc-rollback-confirm");
        await Assertions.Expect(page.Locator("#loc-rollback-result")).ToHaveTextAsync("Rolled back: location list version 3 restores version 1 (1 locations).");
        Assert.That(await Refs(), Is.EqualTo(new[] { "LOC-A 150" }));
        await Assertions.Expect(page.Locator("#loc-history tbody tr")).ToHaveCountAsync(3);
        Assert.That((await page.Locator("#loc-history tbody tr[data-version='3'] td").AllTextContentsAsync())[4], Is.EqualTo("rollback v1"));
        await Assertions.Expect(page.Locator("#loc-active tbody tr td:first-child")).ToHaveTextAsync(new[] { "LOC-A" });

        // A file replacing the one place with another: the preview shows it, the load is refused, a second click loads it.
        var replacement = cli.PathOf("replacement.csv");
        await File.WriteAllTextAsync(replacement, Header + "LOC-Z,Retail park,50.6,-2.4,100,HIGH,dorset,2099-01-01\n");
        await page.SetInputFilesAsync("#loc-file", replacement);
        await page.ClickAsync("#loc-preview");
        await Assertions.Expect(page.Locator("#loc-result")).ToHaveTextAsync("Valid: 1 locations (1 added, 1 removed, 0 changed, 0 unchanged). Confirm to load.");
        await page.ClickAsync("#loc-confirm");
        await Assertions.Expect(page.Locator("#loc-result")).ToContainTextAsync("the upload would take 1 of the 1 raising locations of dorset out of use");
        await Assertions.Expect(page.Locator("#loc-confirm")).ToHaveTextAsync("Confirm removals and load");
        Assert.That(await Refs(), Is.EqualTo(new[] { "LOC-A 150" }), "a refused load changes nothing");
        await page.ClickAsync("#loc-confirm");
        await Assertions.Expect(page.Locator("#loc-result")).ToHaveTextAsync("Loaded: location list version 4 is active with 1 locations.");
        Assert.That(await Refs(), Is.EqualTo(new[] { "LOC-Z 100" }));
        await Assertions.Expect(page.Locator("#loc-history tbody tr")).ToHaveCountAsync(4);
    }
}
