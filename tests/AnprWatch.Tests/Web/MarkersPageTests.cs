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
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var signin = $"http://127.0.0.1:{serve.HttpPort}/signin";
        await page.GotoAsync(signin);
        await page.FillAsync("#key", key);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(url => url.EndsWith("/markers", StringComparison.Ordinal));
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
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("would take 2 of the 2 active markers of kent out of matching");
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--format", "json")).Out)!.AsArray(), Has.Count.EqualTo(2), "nothing changed yet");
        await Assertions.Expect(page.Locator("#confirm")).ToHaveTextAsync("Confirm removals and load");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("is active with 1 markers");
    }
}
