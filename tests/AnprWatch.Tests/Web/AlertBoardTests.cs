using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using Microsoft.Playwright;

namespace AnprWatch.Tests.Web;

/// <summary>The alert board in a real headless Chromium (Debian's), against a running serve and a real SQLite store.</summary>
[NonParallelizable]
public class AlertBoardTests
{
    private CliRunner _cli = null!;
    private Kafka.ServeProcess _serve = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _controlRoomKey = null!;
    private string _bureauKey = null!;

    private string Url(string path) => $"http://127.0.0.1:{_serve.HttpPort}{path}";

    [OneTimeSetUp]
    public async Task Start()
    {
        _cli = new CliRunner();
        _controlRoomKey = (await _cli.RunAsync("keys", "create", "--role", "control-room", "--name", "ops-1")).Out.Trim();
        _bureauKey = (await _cli.RunAsync("keys", "create", "--role", "bureau", "--name", "bureau-1")).Out.Trim();
        _serve = Kafka.ServeProcess.StartWith(_cli, "--Source:Kind=none");
        await _serve.WaitReadyAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        _cli?.Dispose();
    }

    private readonly List<IBrowserContext> _contexts = [];

    [TearDown]
    public async Task CloseContexts()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        _contexts.Clear();
    }

    private async Task<IPage> SignInAsync(string key)
    {
        var context = await _browser.NewContextAsync();
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var signin = Url("/signin");
        await page.GotoAsync(signin);
        await page.FillAsync("#key", key);
        await page.ClickAsync("#signin");

        // Sign-in always navigates away from the bare form: to the board, or back with an error message.
        await page.WaitForURLAsync(url => url != signin);
        return page;
    }

    [Test]
    public async Task A_bureau_key_cannot_open_the_board()
    {
        var page = await SignInAsync(_bureauKey);
        var response = await page.GotoAsync(Url("/board"));
        Assert.That(response!.Status, Is.EqualTo(403));
        Assert.That(await page.TextContentAsync("#denied"), Does.Contain("bureau"));
    }

    [Test]
    public async Task A_wrong_key_does_not_sign_in()
    {
        var page = await SignInAsync("aw_wrong");
        Assert.That(page.Url, Does.Contain("/signin"));
        Assert.That(await page.TextContentAsync("#error"), Does.Contain("not valid"));
    }

    [Test]
    public async Task Alerts_appear_within_two_seconds_of_their_hit_being_stored_and_urgent_ones_stand_out()
    {
        var page = await SignInAsync(_controlRoomKey);
        Assert.That(page.Url, Does.EndWith("/board"));
        await page.WaitForSelectorAsync("#status.live");

        var latencies = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var stored = Stopwatch.StartNew();
            var hit = await TestHits.StoreAsync(_cli, $"board-{Guid.NewGuid():N}", priority: i % 2 == 0 ? Priority.Urgent : Priority.High);
            stored.Restart();
            await page.WaitForSelectorAsync($"[data-hit-id='{hit.HitId}']", new PageWaitForSelectorOptions { Timeout = 5000 });
            latencies.Add(stored.Elapsed.TotalMilliseconds);
        }

        var sorted = latencies.Order().ToList();
        var p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
        TestContext.Out.WriteLine($"board latency over {sorted.Count} alerts: p50 {sorted[sorted.Count / 2]:F0} ms, p95 {p95:F0} ms, max {sorted[^1]:F0} ms");
        Assert.That(sorted[^1], Is.LessThanOrEqualTo(2000), "every alert on the board within 2 s of its hit being stored");

        var top = page.Locator("#alerts article").First;
        Assert.That(await top.GetAttributeAsync("class"), Does.Contain("urgent").And.Not.Contain("handled"), "triage: an unhandled urgent alert is on top, above the newer high ones");
        var urgent = page.Locator("#alerts article.urgent").First;
        Assert.That(await urgent.Locator(".badge.priority").TextContentAsync(), Is.EqualTo("urgent"));
    }

    /// <summary>
    /// Issue 17: a hit raised by a flagged CSE location and a possible clone say so on the board, not only in the alert
    /// JSON: the night-shift operator triaging the board is who needs to know. The badge texts are literal.
    /// </summary>
    [Test]
    public async Task A_location_raised_possible_clone_says_both_on_the_board()
    {
        var page = await SignInAsync(_controlRoomKey);
        await page.WaitForSelectorAsync("#status.live");
        var hit = await TestHits.StoreAsync(_cli, $"loc-{Guid.NewGuid():N}", priority: Priority.High,
            shape: h => h with { LocationRef = "LOC-WIL-7", PossibleClone = true, CloneOfHitId = "h-earlier-sighting" });
        var card = page.Locator($"[data-hit-id='{hit.HitId}']");
        await card.WaitForAsync(new LocatorWaitForOptions { Timeout = 5000 });
        Assert.That(await card.Locator(".badge.location").TextContentAsync(), Is.EqualTo("flagged location LOC-WIL-7"));
        Assert.That(await card.Locator(".badge.clone").TextContentAsync(), Is.EqualTo("possible clone of hit h-earlier-sighting"));
    }

    [Test]
    public async Task Acknowledgement_and_outcome_persist_across_a_reload()
    {
        var page = await SignInAsync(_controlRoomKey);
        await page.WaitForSelectorAsync("#status.live");
        var hit = await TestHits.StoreAsync(_cli, $"outcome-{Guid.NewGuid():N}");
        var card = page.Locator($"[data-hit-id='{hit.HitId}']");
        await card.WaitForAsync();

        await card.Locator("button.ack").ClickAsync();
        await Assertions.Expect(card.Locator("[data-role=outcome]")).ToHaveTextAsync("Outcome: acknowledged");
        await card.Locator("select.status").SelectOptionAsync("safeguarding");
        await card.Locator("input.note").FillAsync("child safeguarded at services");
        await card.Locator("button.record").ClickAsync();
        await Assertions.Expect(card.Locator("[data-role=outcome]")).ToHaveTextAsync("Outcome: safeguarding");

        await page.ReloadAsync();
        var reloaded = page.Locator($"[data-hit-id='{hit.HitId}']");
        await Assertions.Expect(reloaded.Locator("[data-role=outcome]")).ToHaveTextAsync("Outcome: safeguarding");

        var today = TestClock.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var hits = System.Text.Json.Nodes.JsonNode.Parse((await _cli.RunAsync("hits", "list", "--from", TestClock.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", today, "--format", "json")).Out)!.AsArray();
        Assert.That(hits.Single(h => h!["hitId"]!.GetValue<string>() == hit.HitId)!["outcome"]!.GetValue<string>(), Is.EqualTo("safeguarding"));
    }

    [Test]
    public async Task The_force_filter_shows_only_that_forces_alerts()
    {
        var page = await SignInAsync(_controlRoomKey);
        await page.WaitForSelectorAsync("#status.live");
        var kent = await TestHits.StoreAsync(_cli, $"kent-{Guid.NewGuid():N}", camera: "kent");
        var essex = await TestHits.StoreAsync(_cli, $"essex-{Guid.NewGuid():N}", camera: "essex");
        await page.Locator($"[data-hit-id='{essex.HitId}']").WaitForAsync();

        await page.SelectOptionAsync("#force", "kent");
        await page.Locator($"[data-hit-id='{kent.HitId}']").WaitForAsync();
        Assert.That(await page.Locator($"[data-hit-id='{essex.HitId}']").CountAsync(), Is.Zero);
        var shown = await page.Locator("#alerts article").AllTextContentsAsync();
        Assert.That(shown, Has.All.Contains("Kent Police"));
    }

    [Test]
    public async Task A_cookie_session_cannot_change_data_without_the_page_token()
    {
        var page = await SignInAsync(_controlRoomKey);
        var hit = await TestHits.StoreAsync(_cli, $"csrf-{Guid.NewGuid():N}");
        var status = await page.EvaluateAsync<int>($$"""
            async () => (await fetch('/api/hits/{{hit.HitId}}/outcome', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"status":"false-hit"}' })).status
            """);
        Assert.That(status, Is.EqualTo(400));
    }

    [Test]
    public async Task A_stream_resumed_with_last_event_id_neither_loses_nor_repeats_alerts()
    {
        var stored = new List<Hit>();
        for (var i = 0; i < 5; i++)
        {
            stored.Add(await TestHits.StoreAsync(_cli, $"resume-{i}-{Guid.NewGuid():N}", camera: "dorset"));
        }

        async Task<List<(string Id, string HitId)>> ReadAsync(string? lastEventId, int count)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/alerts/stream?force=dorset"));
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _controlRoomKey);
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var events = new List<(string, string)>();
            string? id = null;
            while (events.Count < count && await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add((id!, System.Text.Json.Nodes.JsonNode.Parse(line[6..])!["hitId"]!.GetValue<string>()));
                }
            }

            return events;
        }

        var first = await ReadAsync(null, 2);
        var resumed = await ReadAsync(first[^1].Id, 3);
        // The feed's order is (recorded time, hit id); alerts stored in the same millisecond may swap places, but
        // across the reconnect each must arrive exactly once.
        var seen = first.Concat(resumed).Select(e => e.HitId).ToList();
        Assert.That(seen, Is.Unique, "no alert repeated across the reconnect");
        Assert.That(seen, Is.EquivalentTo(stored.Select(h => h.HitId)), "no alert lost across the reconnect");
    }
}
