using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Web;

/// <summary>
/// Keys carry a scope (issue 14), checked against the running app: a literal role × scope × endpoint table of expected
/// statuses, and literal sets of the hits each scoped key may see. Nothing here is read from the production code: the
/// forces of a region come from the test's own table, the routing rule (camera force or host force, DESIGN §4.3) is
/// written out per hit.
/// </summary>
[NonParallelizable]
public class ScopeMatrixTests
{
    private CliRunner _cli = null!;
    private InProcessServe _serve = null!;
    private readonly Dictionary<string, string> _keys = [];
    private readonly Dictionary<string, string> _hitIds = [];

    /// <summary>The keys of the matrix: name → (role, scope arguments of <c>keys create</c>).</summary>
    private static readonly (string Name, string Role, string[] Scope)[] Keys =
    [
        ("cr-wiltshire", "control-room", ["--force", "wiltshire"]),
        ("cr-london", "control-room", ["--region", "London"]),
        ("cr-kent-dorset", "control-room", ["--force", "kent", "--force", "dorset"]),
        ("cr-national", "control-room", []),
        ("bureau-kent", "bureau", ["--force", "kent"]),
        ("analyst-south-west", "analyst", ["--region", "south west"]),
        ("analyst-wiltshire", "analyst", ["--force", "wiltshire"]),
        ("admin", "admin", []),
    ];

    /// <summary>The stored hits: read id → (camera force, host force). Every one is alerted, recorded minutes ago.</summary>
    private static readonly (string ReadId, string Camera, string Host)[] Hits =
    [
        ("r-1", "wiltshire", "avon-and-somerset"),
        ("r-2", "metropolitan", "kent"),
        ("r-3", "kent", "kent"),
        ("r-4", "dorset", "metropolitan"),
    ];

    /// <summary>
    /// Which hits each key sees on GET /api/alerts and the stream: those whose camera or host force is in its scope.
    /// London = city-of-london, metropolitan; South West = avon-and-somerset, devon-and-cornwall, dorset, gloucestershire, wiltshire.
    /// </summary>
    private static readonly Dictionary<string, string[]> AlertsSeen = new()
    {
        ["cr-wiltshire"] = ["r-1"],
        ["cr-london"] = ["r-2", "r-4"],
        ["cr-kent-dorset"] = ["r-2", "r-3", "r-4"],
        ["cr-national"] = ["r-1", "r-2", "r-3", "r-4"],
        ["admin"] = ["r-1", "r-2", "r-3", "r-4"],
    };

    [OneTimeSetUp]
    public async Task Start()
    {
        _cli = new CliRunner();
        foreach (var (name, role, scope) in Keys)
        {
            var created = await _cli.RunAsync(["keys", "create", "--role", role, "--name", name, .. scope]);
            Assert.That(created.ExitCode, Is.Zero, created.Err);
            _keys[name] = created.Out.Trim();
        }

        var at = TestClock.UtcNow.AddMinutes(-30);
        foreach (var (readId, camera, host) in Hits)
        {
            _hitIds[readId] = (await TestHits.StoreAsync(_cli, readId, camera: camera, host: host, observedAt: at)).HitId;
            at = at.AddMinutes(1);
        }

        // Each force's list has a version 1, so rollback and history have something to answer about; Kent's has a version 2
        // as well, since a rollback (even a preview) to the list already active is refused as having nothing to restore.
        await _cli.ImportCsvAsync("kent", "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,kent,2099-01-01\n", "kent.csv");
        await _cli.ImportCsvAsync("kent", "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,kent,2099-01-01\nEF56GHI,SR-K2,HIGH,kent,2099-01-01\n", "kent-2.csv");
        await _cli.ImportCsvAsync("wiltshire", "vrm,suspect_ref,risk_level,host_force,review_due\nCD34EFG,SR-W,HIGH,wiltshire,2099-01-01\n", "wiltshire.csv");
        _serve = await InProcessServe.StartAsync(_cli, TestClock.Provider);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        _cli?.Dispose();
    }

    private static string Period => $"from={TestClock.UkToday.AddDays(-1):yyyy-MM-dd}&to={TestClock.UkToday:yyyy-MM-dd}";

    private const string Csv = "text/csv";
    private const string JsonBody = "application/json";

    /// <summary>
    /// The matrix, written out by hand: key (role and scope above), method, path, body, expected status. {r-N} is that
    /// read's hit id; {period} a one-day period ending today.
    /// </summary>
    private static readonly (string Key, string Method, string Path, string? ContentType, string? Body, HttpStatusCode Expected)[] Matrix =
    [
        // control room: alerts, the stream and outcomes only for its forces
        ("cr-wiltshire", "GET", "/api/alerts", null, null, HttpStatusCode.OK),
        ("cr-wiltshire", "GET", "/api/alerts?force=wiltshire", null, null, HttpStatusCode.OK),
        ("cr-wiltshire", "GET", "/api/alerts?force=kent", null, null, HttpStatusCode.Forbidden),
        ("cr-wiltshire", "GET", "/api/alerts/stream?force=kent", null, null, HttpStatusCode.Forbidden),
        ("cr-wiltshire", "POST", "/api/hits/{r-1}/outcome", JsonBody, "{\"status\":\"acknowledged\"}", HttpStatusCode.OK),
        ("cr-wiltshire", "POST", "/api/hits/{r-3}/outcome", JsonBody, "{\"status\":\"acknowledged\"}", HttpStatusCode.NotFound), // out of scope answers as an unknown hit: a 403 would confirm it exists
        ("cr-wiltshire", "POST", "/api/hits/h-000000000000000000000000/outcome", JsonBody, "{\"status\":\"acknowledged\"}", HttpStatusCode.NotFound),
        ("cr-london", "POST", "/api/hits/{r-4}/outcome", JsonBody, "{\"status\":\"dispatched\"}", HttpStatusCode.OK),
        ("cr-london", "POST", "/api/hits/{r-1}/outcome", JsonBody, "{\"status\":\"dispatched\"}", HttpStatusCode.NotFound),
        ("cr-london", "GET", "/api/alerts?force=city-of-london", null, null, HttpStatusCode.OK),
        ("cr-kent-dorset", "POST", "/api/hits/{r-4}/outcome", JsonBody, "{\"status\":\"acknowledged\"}", HttpStatusCode.OK),
        ("cr-national", "GET", "/api/alerts?force=kent", null, null, HttpStatusCode.OK),
        ("cr-national", "POST", "/api/hits/{r-3}/outcome", JsonBody, "{\"status\":\"acknowledged\"}", HttpStatusCode.OK),
        ("cr-wiltshire", "GET", "/api/hits?{period}", null, null, HttpStatusCode.Forbidden),
        ("cr-wiltshire", "GET", "/api/markers", null, null, HttpStatusCode.Forbidden),

        // bureau: its forces' lists only
        ("bureau-kent", "POST", "/api/markers/kent?dryRun=true", Csv, "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,kent,2099-01-01\n", HttpStatusCode.OK),
        ("bureau-kent", "POST", "/api/markers/wiltshire?dryRun=true", Csv, "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,wiltshire,2099-01-01\n", HttpStatusCode.Forbidden),
        ("bureau-kent", "POST", "/api/markers/wiltshire", Csv, "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,wiltshire,2099-01-01\n", HttpStatusCode.Forbidden),
        ("bureau-kent", "POST", "/api/markers/wiltshire/review", JsonBody, "{\"vrm\":\"CD34EFG\",\"suspectRef\":\"SR-W\",\"reviewDue\":\"2099-06-01\",\"note\":\"reviewed\"}", HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/markers/kent/history", null, null, HttpStatusCode.OK),
        ("bureau-kent", "GET", "/api/markers/wiltshire/history", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "POST", "/api/markers/kent/rollback?toVersion=1&dryRun=true", null, null, HttpStatusCode.OK),
        ("bureau-kent", "POST", "/api/markers/wiltshire/rollback?toVersion=1&dryRun=true", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/markers", null, null, HttpStatusCode.OK),
        ("bureau-kent", "POST", "/api/locations/kent?dryRun=true", Csv, "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\nLOC-K,Lay-by,51.27,0.52,250,HIGH,kent,2099-01-01\n", HttpStatusCode.OK),
        ("bureau-kent", "POST", "/api/locations/wiltshire?dryRun=true", Csv, "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\nLOC-W,Car park,51.35,-1.99,250,HIGH,wiltshire,2099-01-01\n", HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/locations/kent", null, null, HttpStatusCode.OK),
        ("bureau-kent", "GET", "/api/locations/wiltshire", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/locations/kent/history", null, null, HttpStatusCode.OK),
        ("bureau-kent", "GET", "/api/locations/wiltshire/history", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "POST", "/api/locations/wiltshire/rollback?toVersion=1&dryRun=true", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/markers?force=kent", null, null, HttpStatusCode.OK),
        ("bureau-kent", "GET", "/api/markers?force=wiltshire", null, null, HttpStatusCode.Forbidden),
        ("bureau-kent", "GET", "/api/alerts", null, null, HttpStatusCode.Forbidden),

        // analyst: hits and reports within scope
        ("analyst-south-west", "GET", "/api/hits?{period}", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/hits?{period}&force=dorset", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/hits?{period}&force=kent", null, null, HttpStatusCode.Forbidden),
        ("analyst-south-west", "GET", "/api/reports/evaluation?{period}", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/reports/evaluation?{period}&force=wiltshire", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/reports/evaluation?{period}&region=South%20West", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/reports/evaluation?{period}&force=kent", null, null, HttpStatusCode.Forbidden),
        ("analyst-south-west", "GET", "/api/reports/evaluation?{period}&region=London", null, null, HttpStatusCode.Forbidden),
        ("analyst-wiltshire", "GET", "/api/reports/evaluation?{period}&region=South%20West", null, null, HttpStatusCode.Forbidden),
        ("analyst-wiltshire", "GET", "/api/reports/evaluation?{period}", null, null, HttpStatusCode.OK),
        ("analyst-south-west", "GET", "/api/alerts", null, null, HttpStatusCode.Forbidden),

        // admin: national
        ("admin", "GET", "/api/alerts?force=kent", null, null, HttpStatusCode.OK),
        ("admin", "GET", "/api/markers/wiltshire/history", null, null, HttpStatusCode.OK),
        ("admin", "GET", "/api/reports/evaluation?{period}&region=London", null, null, HttpStatusCode.OK),
        ("admin", "GET", "/api/hits?{period}&force=kent", null, null, HttpStatusCode.OK),
    ];

    private HttpRequestMessage Request(string key, string method, string path, string? contentType = null, string? body = null)
    {
        foreach (var (readId, hitId) in _hitIds)
        {
            path = path.Replace("{" + readId + "}", hitId, StringComparison.Ordinal);
        }

        var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"http://127.0.0.1:{_serve.Port}{path.Replace("{period}", Period, StringComparison.Ordinal)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _keys[key]);
        if (method == "POST")
        {
            request.Content = new StringContent(body ?? "", Encoding.UTF8, contentType ?? "text/plain");
        }

        return request;
    }

    [Test]
    public async Task Every_key_gets_exactly_the_status_the_matrix_says()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        foreach (var (key, method, path, contentType, body, expected) in Matrix)
        {
            using var request = Request(key, method, path, contentType, body);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != expected)
            {
                failures.Add($"{key} {method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    /// <summary>
    /// An outcome on a hit outside the key's forces answers exactly as one on a hit that does not exist: an RFC 7807
    /// problem naming the id. A long or odd id is not reflected back (the texts are literal here).
    /// </summary>
    [Test]
    public async Task An_outcome_on_another_forces_hit_looks_like_an_unknown_hit_and_odd_ids_are_not_echoed()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        async Task<(HttpStatusCode Status, string? Type, JsonNode Body)> Post(string path)
        {
            using var request = Request("cr-wiltshire", "POST", path, JsonBody, "{\"status\":\"acknowledged\"}");
            using var response = await http.SendAsync(request);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }

        var outOfScope = await Post("/api/hits/{r-3}/outcome");
        var unknown = await Post("/api/hits/h-000000000000000000000000/outcome");
        var probe = await Post("/api/hits/" + new string('x', 500) + "%3Cscript%3E/outcome");
        Assert.Multiple(() =>
        {
            foreach (var (status, type, body) in new[] { outOfScope, unknown, probe })
            {
                Assert.That((status, type, body["title"]?.GetValue<string>(), body["status"]?.GetValue<int>()),
                    Is.EqualTo((HttpStatusCode.NotFound, "application/problem+json", "unknown hit", 404)));
            }

            Assert.That(outOfScope.Body["detail"]!.GetValue<string>(), Is.EqualTo("no hit " + _hitIds["r-3"]));
            Assert.That(unknown.Body["detail"]!.GetValue<string>(), Is.EqualTo("no hit h-000000000000000000000000"));
            Assert.That(probe.Body["detail"]!.GetValue<string>(), Is.EqualTo("no such hit: a hit id is at most 32 letters, digits or dashes"));
            Assert.That(outOfScope.Body.AsObject().Select(p => p.Key).Order(), Is.EqualTo(unknown.Body.AsObject().Select(p => p.Key).Order()), "the same fields either way");
        });
    }

    [Test]
    public async Task A_scoped_control_room_key_lists_only_the_alerts_routed_to_its_forces()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var seen = new Dictionary<string, string[]>();
        foreach (var key in AlertsSeen.Keys)
        {
            using var request = Request(key, "GET", "/api/alerts");
            using var response = await http.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), key);
            seen[key] = [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(h => h!["readId"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
        }

        Assert.That(seen, Is.EqualTo(AlertsSeen));
    }

    [Test]
    public async Task A_scoped_stream_replays_from_the_start_of_the_window_only_its_forces_alerts()
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = Request("cr-london", "GET", "/api/alerts/stream");
        request.Headers.Add("Last-Event-ID", "0:");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // Everything was stored before the stream opened, so the replay is complete within a few polls.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var readIds = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                // Alert events carry a read; the board's other events (ready, outcome) do not.
                if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line["data: ".Length..])?["readId"] is { } readId)
                {
                    readIds.Add(readId.GetValue<string>());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the replay window is over
        }

        Assert.That(readIds, Is.EqualTo(AlertsSeen["cr-london"]));
    }

    [Test]
    public async Task A_scoped_analyst_sees_only_hits_routed_to_its_region_and_its_reports_default_to_it()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using (var request = Request("analyst-south-west", "GET", "/api/hits?{period}"))
        using (var response = await http.SendAsync(request))
        {
            var readIds = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(h => h!["readId"]!.GetValue<string>()).Order(StringComparer.Ordinal);
            Assert.That(readIds, Is.EqualTo(new[] { "r-1", "r-4" }), "r-1: wiltshire camera; r-4: dorset camera");
        }

        using (var request = Request("analyst-south-west", "GET", "/api/reports/evaluation?{period}"))
        using (var response = await http.SendAsync(request))
        {
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["scope"]!.ToJsonString(), Is.EqualTo("{\"region\":\"South West\"}"));
        }

        using (var request = Request("analyst-wiltshire", "GET", "/api/reports/evaluation?{period}"))
        using (var response = await http.SendAsync(request))
        {
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["scope"]!.ToJsonString(), Is.EqualTo("{\"force\":\"wiltshire\"}"));
        }
    }

    [Test]
    public async Task A_load_for_another_force_is_refused_audited_and_changes_nothing()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = Request("bureau-kent", "POST", "/api/markers/wiltshire", Csv, "vrm,suspect_ref,risk_level,host_force,review_due\nEF56GHI,SR-X,HIGH,wiltshire,2099-01-01\n");
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        var refusals = await _cli.ColumnAsync("SELECT actor || ' ' || action || ' ' || subject FROM audit_log WHERE subject LIKE '%loading the marker list for wiltshire%' ORDER BY audit_id");
        Assert.That(refusals, Has.Count.GreaterThanOrEqualTo(1));
        Assert.That(refusals[^1], Does.StartWith("bureau-kent refused authorisation refused: loading the marker list for wiltshire is outside the key's scope (kent)"));
        var wiltshire = JsonNode.Parse((await _cli.RunAsync("markers", "list", "--force", "wiltshire", "--format", "json")).Out)!.AsArray();
        Assert.That(wiltshire.Select(m => m!["vrm"]!.GetValue<string>()), Is.EqualTo(new[] { "CD34EFG" }));
    }

    [Test]
    public async Task The_board_and_markers_pages_offer_only_the_keys_own_forces()
    {
        using var board = await BrowserSession.SignInAsync(_serve.Port, _keys["cr-kent-dorset"]);
        var boardHtml = await board.Http.GetStringAsync(new Uri("/board", UriKind.Relative));
        Assert.That(ForceCodesOffered(boardHtml), Is.EqualTo(new[] { "kent", "dorset" }));

        using var national = await BrowserSession.SignInAsync(_serve.Port, _keys["cr-national"]);
        Assert.That(ForceCodesOffered(await national.Http.GetStringAsync(new Uri("/board", UriKind.Relative))), Has.Length.EqualTo(46), "every force in the table");
    }

    [Test]
    public async Task A_browser_session_inherits_its_keys_scope_and_the_board_shows_only_its_forces_alerts()
    {
        // The session (cookie) has the key's scope: the API answers it as it answers the key.
        using (var session = await BrowserSession.SignInAsync(_serve.Port, _keys["cr-wiltshire"]))
        {
            var alerts = JsonNode.Parse(await session.Http.GetStringAsync(new Uri("/api/alerts", UriKind.Relative)))!.AsArray();
            Assert.That(alerts.Select(h => h!["readId"]!.GetValue<string>()), Is.EqualTo(AlertsSeen["cr-wiltshire"]));
            Assert.That(await session.StatusAsync("/api/alerts?force=kent"), Is.EqualTo(HttpStatusCode.Forbidden));
        }

        // In Chromium: a one-force key's board starts on its force and shows only the alerts routed to it.
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{_serve.Port}/signin");
        await page.FillAsync("#key", _keys["cr-wiltshire"]);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync(url => url.EndsWith("/board", StringComparison.Ordinal));
        Assert.That(await page.InputValueAsync("#force"), Is.EqualTo("wiltshire"));
        Assert.That(await page.Locator("#force option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"), Is.EqualTo(new[] { "", "wiltshire" }));
        await Microsoft.Playwright.Assertions.Expect(page.Locator("article.alert")).ToHaveCountAsync(1);
        Assert.That(await page.Locator("article.alert").GetAttributeAsync("data-hit-id"), Is.EqualTo(_hitIds["r-1"]));

        // "All my forces" is still only its scope.
        await page.SelectOptionAsync("#force", "");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Microsoft.Playwright.Assertions.Expect(page.Locator("article.alert")).ToHaveCountAsync(1);
    }

    /// <summary>The force codes in a page's <c>&lt;script id="forces"&gt;</c> element, in order.</summary>
    private static string[] ForceCodesOffered(string html)
    {
        const string open = "<script id=\"forces\" type=\"application/json\">";
        var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
        var json = html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)];
        return [.. JsonNode.Parse(json)!.AsArray().Select(f => f!["code"]!.GetValue<string>())];
    }

    [Test]
    public async Task Keys_list_shows_role_scope_created_last_used_and_revoked()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using (var request = Request("cr-london", "GET", "/api/alerts"))
        using (var response = await http.SendAsync(request))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var made = await _cli.RunAsync("keys", "create", "--role", "bureau", "--name", "leaver-wales", "--region", "Wales");
        Assert.That(made.ExitCode, Is.Zero, made.Err);
        Assert.That((await _cli.RunAsync("keys", "revoke", "--name", "leaver-wales")).ExitCode, Is.Zero);

        var list = await _cli.RunAsync("keys", "list", "--format", "csv");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToDictionary(l => l.Split(',')[0]);
        Assert.That(rows["name"], Is.EqualTo("name,role,scope,created,last_used,revoked"));
        var today = TestClock.UkToday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var yesterday = TestClock.UkToday.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string[] Fields(string name) => rows[name].Split(',');
        Assert.Multiple(() =>
        {
            Assert.That(Fields("cr-london")[1..3], Is.EqualTo(new[] { "control-room", "region London" }));
            Assert.That(Fields("cr-london")[4], Does.StartWith(today).Or.StartWith(yesterday), "used just now (UTC date)");
            Assert.That(Fields("cr-kent-dorset")[2], Is.EqualTo("kent + dorset"));
            Assert.That(Fields("cr-national")[2], Is.EqualTo("national"));
            Assert.That(Fields("analyst-wiltshire")[2], Is.EqualTo("wiltshire"));
            Assert.That(Fields("leaver-wales")[1..3], Is.EqualTo(new[] { "bureau", "region Wales" }));
            Assert.That(Fields("leaver-wales")[4], Is.EqualTo("never"));
            Assert.That(Fields("leaver-wales")[5], Is.Not.Empty, "revoked");
            Assert.That(Fields("cr-national")[5], Is.Empty, "not revoked");
        });
    }

    [TestCase("--force", "narnia", "'narnia'")]
    [TestCase("--region", "Atlantis", "'Atlantis'")]
    public async Task An_unknown_force_or_region_is_exit_2_naming_it(string option, string value, string named)
    {
        var made = await _cli.RunAsync("keys", "create", "--role", "control-room", "--name", "bad-" + value, option, value);
        Assert.That(made.ExitCode, Is.EqualTo(2));
        Assert.That(made.Err, Does.Contain(named));
        Assert.That(await _cli.ColumnAsync($"SELECT name FROM api_keys WHERE name = 'bad-{value}'"), Is.Empty);
    }

    [Test]
    public async Task An_admin_key_is_national()
    {
        var made = await _cli.RunAsync("keys", "create", "--role", "admin", "--name", "admin-kent", "--force", "kent");
        Assert.That(made.ExitCode, Is.EqualTo(2));
        Assert.That(made.Err, Does.Contain("national"));
    }
}
