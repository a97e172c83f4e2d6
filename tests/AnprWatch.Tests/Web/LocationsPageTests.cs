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
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{serve.HttpPort}/signin");
        await page.FillAsync("#key", key);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(url => url.EndsWith("/markers", StringComparison.Ordinal));
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
}
