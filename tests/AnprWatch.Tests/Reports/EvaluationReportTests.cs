using System.Globalization;
using System.Text.Json.Nodes;
using AnprWatch.Storage;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Hits;
using Microsoft.Playwright;
using Microsoft.VisualBasic.FileIO;

namespace AnprWatch.Tests.Reports;

/// <summary>
/// Every §4.5 figure of `report evaluation` on a simulated scenario, against the same figure computed here from the
/// simulator's marker files and ground truth (not from the store), for a force, a region, everything and a sub-period.
/// </summary>
[NonParallelizable]
public class EvaluationReportTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private CliRunner _cli = null!;
    private string _sim = null!;
    private List<Dictionary<string, string>> _markers = null!;
    private JsonArray _truth = null!;
    private readonly List<(string HitId, string Status, DateTimeOffset At, DateTimeOffset HitRecorded)> _outcomes = [];
    private readonly List<(string HitId, string Status, string Reason)> _reasons = [];

    [OneTimeSetUp]
    public async Task Replay()
    {
        _cli = new CliRunner();
        _sim = _cli.PathOf("sim");
        Assert.That((await _cli.RunAsync("simulate", "--scenario", "railcar", "--out", _sim, "--seed", "21", "--vehicles", "1500")).ExitCode, Is.Zero);
        await GroundTruth.ImportMarkersAsync(_cli, _sim);
        Assert.That((await _cli.RunAsync("replay", Path.Combine(_sim, "reads.jsonl"))).ExitCode, Is.Zero);
        _truth = await GroundTruth.ExpectedAsync(_sim);
        _markers = Directory.GetFiles(Path.Combine(_sim, "markers"), "*.csv").SelectMany(ReadCsv).ToList();

        // Outcomes on a few alerted hits, recorded through the store as the board would.
        var stored = await GroundTruth.StoredAsync(_cli);
        var outcomes = new OutcomeStore(new Database(new SqliteDialect($"Data Source={_cli.Database}")), new AuditLog(new Database(new SqliteDialect($"Data Source={_cli.Database}"))), _cli.Clock);
        var alerted = stored.Where(h => h!["alerted"]!.GetValue<bool>()).Take(5).ToList();
        foreach (var (hit, status) in alerted.Zip(new[] { "acknowledged", "acknowledged", "acknowledged", "safeguarding" }))
        {
            var outcome = (await outcomes.RecordAsync(hit!["hitId"]!.GetValue<string>(), status, null, null, "ops", "control-room"))!;
            _outcomes.Add((outcome.HitId, status, outcome.RecordedAt, hit["recordedAt"]!.GetValue<DateTimeOffset>()));
        }

        var late = (await outcomes.RecordAsync(alerted[3]!["hitId"]!.GetValue<string>(), "acknowledged", null, null, "ops", "control-room"))!;
        _outcomes.Add((late.HitId, "acknowledged", late.RecordedAt, alerted[3]!["recordedAt"]!.GetValue<DateTimeOffset>()));

        // A false hit must say why: the reason is stored in outcome_reasons and counted by the report.
        var falseHit = (await outcomes.RecordAsync(alerted[4]!["hitId"]!.GetValue<string>(), "false-hit", "misread", null, "ops", "control-room"))!;
        _outcomes.Add((falseHit.HitId, "false-hit", falseHit.RecordedAt, alerted[4]!["recordedAt"]!.GetValue<DateTimeOffset>()));
        _reasons.Add((falseHit.HitId, "false-hit", "misread"));
    }

    [OneTimeTearDown]
    public void Cleanup() => _cli?.Dispose();

    private static IEnumerable<Dictionary<string, string>> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.Trim('\uFEFF')).ToArray();
        while (parser.ReadFields() is { } fields)
        {
            yield return header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim());
        }
    }

    private static DateTime Uk(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, London).DateTime;

    private static string Plate(string raw) => new(raw.ToUpperInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());

    /// <summary>The report computed from the scenario's own files.</summary>
    private JsonObject Expected(DateOnly from, DateOnly to, Func<string, bool> hostInScope, JsonObject scope)
    {
        var today = DateOnly.FromDateTime(Uk(_cli.Clock.GetUtcNow()));
        var markers = _markers.Where(m => hostInScope(m["host_force"].ToLowerInvariant())).ToList();
        var risk = _markers.ToDictionary(m => (Plate(m["vrm"]), m["suspect_ref"]), m => m["risk_level"].ToUpperInvariant());
        var hits = _truth.Select(h => h!).Where(h => hostInScope(h["hostForce"]!.GetValue<string>())
            && DateOnly.FromDateTime(Uk(h["observedAt"]!.GetValue<DateTimeOffset>())) is var d && d >= from && d <= to).ToList();
        var ids = hits.Select(h => GroundTruthHitId(h)).ToHashSet();
        var outcomes = _outcomes.Where(o => ids.Contains(o.HitId)).ToList();

        JsonObject Count(IEnumerable<string> keys, string[] always)
        {
            var counts = keys.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            var json = new JsonObject();
            foreach (var key in always.Concat(counts.Keys.Except(always)))
            {
                json[key] = counts.GetValueOrDefault(key);
            }

            return json;
        }

        // Review compliance counts the lists as they stood at the period's end: these were loaded today, so a period
        // that ended before today had no list yet; otherwise the files' markers not expired by that day.
        var atEnd = today > to ? [] : markers.Where(m => m.GetValueOrDefault("expires") is not { Length: > 0 } e || DateOnly.Parse(e, CultureInfo.InvariantCulture) >= to).ToList();

        var acknowledged = outcomes.Where(o => o.Status == "acknowledged").GroupBy(o => o.HitId).Select(g => (g.Min(o => o.At) - g.First().HitRecorded).TotalMinutes).Order().ToList();
        double? median = acknowledged.Count == 0 ? null : Math.Round(acknowledged.Count % 2 == 1 ? acknowledged[acknowledged.Count / 2] : (acknowledged[acknowledged.Count / 2 - 1] + acknowledged[acknowledged.Count / 2]) / 2, 1);
        var byHour = new int[24];
        foreach (var h in hits)
        {
            byHour[Uk(h["observedAt"]!.GetValue<DateTimeOffset>()).Hour]++;
        }

        return new JsonObject
        {
            ["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["scope"] = scope,
            ["markers"] = new JsonObject
            {
                ["active"] = markers.Count,
                ["byRisk"] = Count(markers.Select(m => m["risk_level"].ToUpperInvariant()), ["HIGH", "MEDIUM", "LOW"]),
                ["reviewOverdue"] = markers.Count(m => DateOnly.Parse(m["review_due"], CultureInfo.InvariantCulture) < today),
            },
            ["vehiclesFlagged"] = markers.Select(m => Plate(m["vrm"])).Distinct().Count(),
            ["vehiclesWithHits"] = hits.Select(h => h["markerVrm"]!.GetValue<string>()).Distinct().Count(),
            ["hits"] = new JsonObject
            {
                ["total"] = hits.Count,
                ["outOfForce"] = hits.Count(h => !h["inForce"]!.GetValue<bool>()),
                ["inForce"] = hits.Count(h => h["inForce"]!.GetValue<bool>()),
                ["alerted"] = hits.Count(h => h["alerted"]!.GetValue<bool>()),
                ["suppressed"] = hits.Count(h => h["notAlertedReason"]?.GetValue<string>() == "suppressed"),
                ["stale"] = hits.Count(h => h["notAlertedReason"]?.GetValue<string>() == "stale"),
                ["locationRaised"] = hits.Count(h => h["locationRef"] is not null), // the simulator's location oracle
                ["possibleClones"] = hits.Count(h => h["possibleClone"]!.GetValue<bool>()),
                ["confirmedMisreads"] = hits.Count(h => h["confirmingReadId"] is not null),
                ["byMatchKind"] = Count(hits.Select(h => h["matchKind"]!.GetValue<string>()), ["exact", "ocr-equivalent"]),
                ["byRisk"] = Count(hits.Select(h => risk[(h["markerVrm"]!.GetValue<string>(), h["suspectRef"]!.GetValue<string>())]), ["HIGH", "MEDIUM"]),
                ["byPriority"] = Count(hits.Select(h => h["priority"]!.GetValue<string>()), ["urgent", "high", "routine"]),
                ["byCameraForce"] = Count(hits.Select(h => h["cameraForce"]!.GetValue<string>()), []),
                ["byHostForce"] = Count(hits.Select(h => h["hostForce"]!.GetValue<string>()), []),
                ["byHourUk"] = new JsonArray(byHour.Select(n => (JsonNode)n).ToArray()),
            },
            ["outcomes"] = new JsonObject
            {
                ["acknowledged"] = outcomes.Where(o => o.Status == "acknowledged").Select(o => o.HitId).Distinct().Count(),
                ["disruption"] = 0,
                ["safeguarding"] = outcomes.Where(o => o.Status == "safeguarding").Select(o => o.HitId).Distinct().Count(),
                ["false-hit"] = outcomes.Where(o => o.Status == "false-hit").Select(o => o.HitId).Distinct().Count(),
            },
            ["medianMinutesToAcknowledge"] = median,
            ["perSuspect"] = PerGroup(hits, h => h["suspectRef"]!.GetValue<string>(), outcomes, withSuspect: false),
            ["perMarker"] = PerGroup(hits, h => h["markerId"]!.GetValue<string>(), outcomes, withSuspect: true),
            ["movement"] = new JsonObject(hits.GroupBy(h => h["hostForce"]!.GetValue<string>())
                .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)Count(g.Select(h => h["cameraForce"]!.GetValue<string>()), [])))),
            ["funnel"] = new JsonObject
            {
                ["overall"] = Funnel(hits, outcomes),
                ["byCameraForce"] = FunnelBy(hits, "cameraForce", outcomes),
                ["byPriority"] = FunnelBy(hits, "priority", outcomes),
                ["byMatchKind"] = FunnelBy(hits, "matchKind", outcomes),
            },
            ["timeToAcknowledge"] = new JsonObject
            {
                ["count"] = acknowledged.Count,
                ["p50Minutes"] = NearestRank(acknowledged, 0.5),
                ["p90Minutes"] = NearestRank(acknowledged, 0.9),
            },
            ["reasons"] = new JsonObject
            {
                ["false-hit"] = Count(_reasons.Where(r => ids.Contains(r.HitId) && r.Status == "false-hit").Select(r => r.Reason), []),
                ["no-trace"] = Count(_reasons.Where(r => ids.Contains(r.HitId) && r.Status == "no-trace").Select(r => r.Reason), []),
            },
            ["reviewCompliance"] = new JsonObject
            {
                ["asOf"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["active"] = atEnd.Count,
                ["overdue"] = atEnd.Count(m => DateOnly.Parse(m["review_due"], CultureInfo.InvariantCulture) < to),
            },
        };
    }

    private static readonly string[] FunnelStages = ["acknowledged", "dispatched", "stopped", "disruption", "safeguarding", "no-trace", "false-hit"];

    private static double? NearestRank(List<double> sorted, double share) =>
        sorted.Count == 0 ? null : Math.Round(sorted[(int)Math.Ceiling(share * sorted.Count) - 1], 1);

    private static JsonObject Funnel(IEnumerable<JsonNode> hits, List<(string HitId, string Status, DateTimeOffset At, DateTimeOffset HitRecorded)> outcomes)
    {
        var alerted = hits.Where(h => h["alerted"]!.GetValue<bool>()).Select(GroundTruthHitId).ToHashSet();
        var stage = new JsonObject { ["alerted"] = alerted.Count };
        var rates = new JsonObject();
        foreach (var status in FunnelStages)
        {
            var n = outcomes.Where(o => o.Status == status && alerted.Contains(o.HitId)).Select(o => o.HitId).Distinct().Count();
            stage[status] = n;
            rates[status] = alerted.Count == 0 ? null : Math.Round(n / (double)alerted.Count, 3);
        }

        stage["rates"] = rates;
        return stage;
    }

    private static JsonObject FunnelBy(List<JsonNode> hits, string field, List<(string HitId, string Status, DateTimeOffset At, DateTimeOffset HitRecorded)> outcomes) =>
        new(hits.Where(h => h["alerted"]!.GetValue<bool>()).GroupBy(h => h[field]!.GetValue<string>())
            .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)Funnel(g, outcomes))));

    private static JsonObject PerGroup(List<JsonNode> hits, Func<JsonNode, string> key, List<(string HitId, string Status, DateTimeOffset At, DateTimeOffset HitRecorded)> outcomes, bool withSuspect)
    {
        var json = new JsonObject();
        foreach (var g in hits.GroupBy(key))
        {
            var ids = g.Select(GroundTruthHitId).ToHashSet();
            var entry = new JsonObject();
            if (withSuspect)
            {
                entry["suspectRef"] = g.First()["suspectRef"]!.GetValue<string>();
            }

            entry["hits"] = g.Count();
            entry["alerted"] = g.Count(h => h["alerted"]!.GetValue<bool>());
            var statuses = new JsonObject();
            foreach (var status in outcomes.Where(o => ids.Contains(o.HitId)).GroupBy(o => o.Status))
            {
                statuses[status.Key] = status.Select(o => o.HitId).Distinct().Count();
            }

            entry["outcomes"] = statuses;
            json[g.Key] = entry;
        }

        return json;
    }

    private static string GroundTruthHitId(JsonNode h) => Core.Hits.HitIds.ForHit(h["readId"]!.GetValue<string>(), h["markerId"]!.GetValue<string>());

    private static SortedDictionary<string, string> Flatten(JsonNode? node, string prefix = "")
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var pair in Flatten(child, prefix + "/" + key))
                    {
                        result[pair.Key] = pair.Value;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var pair in Flatten(array[i], prefix + "/" + i))
                    {
                        result[pair.Key] = pair.Value;
                    }
                }

                break;
            default:
                result[prefix] = node?.ToJsonString() ?? "null";
                break;
        }

        return result;
    }

    private async Task<JsonNode> RunAsync(params string[] args)
    {
        var path = _cli.PathOf($"report-{Guid.NewGuid():N}.json");
        var result = await _cli.RunAsync(["report", "evaluation", .. args, "--format", "json", "--out", path, "--justification", "evaluation test"]);
        Assert.That(result.ExitCode, Is.Zero, result.Err);
        return JsonNode.Parse(await File.ReadAllTextAsync(path))!;
    }

    [Test]
    public async Task Every_figure_for_all_forces_matches_the_ground_truth()
    {
        var actual = await RunAsync("--from", "2026-05-01", "--to", "2026-10-31");
        Assert.That(actual["hits"]!["total"]!.GetValue<int>(), Is.GreaterThan(0));
        Assert.That(Flatten(actual), Is.EqualTo(Flatten(Expected(new DateOnly(2026, 5, 1), new DateOnly(2026, 10, 31), _ => true, []))));
    }

    [Test]
    public async Task Every_figure_for_one_host_force_matches_the_ground_truth()
    {
        var actual = await RunAsync("--from", "2026-05-01", "--to", "2026-10-31", "--force", "wiltshire");
        Assert.That(Flatten(actual), Is.EqualTo(Flatten(Expected(new DateOnly(2026, 5, 1), new DateOnly(2026, 10, 31), f => f == "wiltshire", new JsonObject { ["force"] = "wiltshire" }))));
    }

    [Test]
    public async Task Every_figure_for_a_region_and_a_sub_period_matches_the_ground_truth()
    {
        var actual = await RunAsync("--from", "2026-07-01", "--to", "2026-08-15", "--region", "south west");
        var southWest = new[] { "avon-and-somerset", "devon-and-cornwall", "dorset", "gloucestershire", "wiltshire" };
        Assert.That(Flatten(actual), Is.EqualTo(Flatten(Expected(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 15), southWest.Contains, new JsonObject { ["region"] = "South West" }))));

        var london = await RunAsync("--from", "2026-05-01", "--to", "2026-10-31", "--region", "London");
        Assert.That(london["hits"]!["total"]!.GetValue<int>(), Is.Zero);
        Assert.That(london["markers"]!["active"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task Csv_carries_the_same_numbers()
    {
        var json = await RunAsync("--from", "2026-05-01", "--to", "2026-10-31");
        var path = _cli.PathOf("report.csv");
        Assert.That((await _cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "csv", "--out", path, "--justification", "evaluation test")).ExitCode, Is.Zero);
        var rows = (await File.ReadAllLinesAsync(path)).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[0] + "/" + p[1], p => p[2]);
        Assert.Multiple(() =>
        {
            Assert.That(rows["hits/total"], Is.EqualTo(json["hits"]!["total"]!.ToJsonString()));
            Assert.That(rows["hits/byHourUk.22"], Is.EqualTo(json["hits"]!["byHourUk"]![22]!.ToJsonString()));
            Assert.That(rows["markers/byRisk.HIGH"], Is.EqualTo(json["markers"]!["byRisk"]!["HIGH"]!.ToJsonString()));
            Assert.That(rows["outcomes/safeguarding"], Is.EqualTo("1"));
            Assert.That(rows["reasons/false-hit.misread"], Is.EqualTo("1"));
        });
    }

    [Test]
    public async Task Periods_reaching_back_beyond_90_days_need_a_justification()
    {
        var refused = await _cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "json", "--out", _cli.PathOf("x.json"));
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Err, Does.Contain("justification"));
        Assert.That(File.Exists(_cli.PathOf("x.json")), Is.False);
    }

    [Test]
    public async Task The_html_report_opens_offline_with_svg_charts_labelled_with_the_reports_figures()
    {
        var path = _cli.PathOf("report.html");
        Assert.That((await _cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "html", "--out", path, "--justification", "evaluation test")).ExitCode, Is.Zero);
        var json = await RunAsync("--from", "2026-05-01", "--to", "2026-10-31");
        (await ReportCharts.ReadAsync(path)).AssertMatches(json);
        var html = await File.ReadAllTextAsync(path);
        // The busiest vehicle always has its own bar (the chart shows the top 15 and sums the rest as "others").
        var plate = _truth.GroupBy(h => h!["markerVrm"]!.GetValue<string>()).OrderByDescending(g => g.Count()).First().Key;
        Assert.That(html, Does.Not.Contain(plate), "plates appear only when asked for");

        var withVrms = _cli.PathOf("report-vrms.html");
        Assert.That((await _cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "html", "--out", withVrms, "--justification", "evaluation test", "--include-vrms")).ExitCode, Is.Zero);
        Assert.That(await File.ReadAllTextAsync(withVrms), Does.Contain(plate));
    }

    [Test]
    public async Task The_html_report_reads_at_a4_with_a_bounded_suspect_chart_and_the_whole_funnel()
    {
        var path = _cli.PathOf("report-a4.html");
        Assert.That((await _cli.RunAsync("report", "evaluation", "--from", "2026-05-01", "--to", "2026-10-31", "--format", "html", "--out", path, "--justification", "evaluation test")).ExitCode, Is.Zero);
        var vehicles = _truth.Select(h => h!["suspectRef"]!.GetValue<string>()).Distinct().Count();
        Assert.That(vehicles, Is.GreaterThan(15), "the scenario must have more vehicles than the chart shows on their own");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Web.Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 794, Height = 1123 } }); // A4 at 96 dpi
        await page.GotoAsync("file://" + path);

        // Kept for a person to look at: the CI artefacts hold the page as a reader sees it.
        var png = Path.Combine(TestContext.CurrentContext.WorkDirectory, "evaluation-a4.png");
        await page.ScreenshotAsync(new() { Path = png, FullPage = true });
        TestContext.AddTestAttachment(png);

        var suspects = (await ReportCharts.ReadAsync(path)).Sections["suspects"]!;
        var suspectHeight = await page.Locator("#suspects svg").EvaluateAsync<double>("s => s.getBoundingClientRect().height");
        var funnelLabels = (await ReportCharts.ReadAsync(path)).Sections["funnel"]!.Outside.Select(t => t.Content).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(suspects.Inside, Has.Count.EqualTo(16), "15 vehicles and one 'others' bar, each with its value");
            Assert.That(suspects.Outside.Select(t => t.Content), Has.One.StartsWith($"others ({vehicles - 15})"));
            Assert.That(suspectHeight, Is.LessThan(1123), "the per-vehicle chart fits on one A4 page");

            // Stage labels with their share of the alerted hits (this run: 4 acknowledged, 1 safeguarding, 1 false hit).
            var alerted = _truth.Count(h => h!["alerted"]!.GetValue<bool>());
            Assert.That(funnelLabels, Does.Contain("alerted"));
            Assert.That(funnelLabels, Does.Contain($"acknowledged {Math.Round(400.0 / alerted):0}%"));
            Assert.That(funnelLabels, Does.Contain($"false-hit {Math.Round(100.0 / alerted):0}%"));
            foreach (var stage in new[] { "dispatched 0%", "stopped 0%", "no-trace 0%", "disruption 0%" })
            {
                Assert.That(funnelLabels, Does.Contain(stage));
            }
        });
    }

    [Test]
    public async Task An_analyst_runs_a_report_from_the_reports_page()
    {
        var key = (await _cli.RunAsync("keys", "create", "--role", "analyst", "--name", $"riu-{Guid.NewGuid():N}")).Out.Trim();
        await using var session = await Web.SignedInPage.StartAsync(_cli, key, "/reports");
        var page = session.Page;

        await page.FillAsync("#from", "2026-05-01");
        await page.FillAsync("#to", "2026-10-31");
        await page.FillAsync("#justification", "quarterly governance");
        await page.ClickAsync("#run");
        var frame = page.FrameLocator("#view");
        await frame.Locator("body[data-rendered=true]").WaitForAsync();
        Assert.That(await frame.Locator("#summary").TextContentAsync(), Does.Contain($"{_truth.Count} hits"));
    }
}
