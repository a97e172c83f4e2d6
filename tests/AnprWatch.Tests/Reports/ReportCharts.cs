using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace AnprWatch.Tests.Reports;

/// <summary>
/// What a reader of the HTML evaluation report sees, read by Chromium's own HTML parser (never by the code that wrote
/// it): each section's inline SVG chart, with the text drawn inside its plot area (the values written on the bars) and
/// outside it (axis labels). A bar's value and its category label are paired by their horizontal position.
/// </summary>
public sealed record ReportCharts(int Scripts, string Summary, int MatrixRows, Dictionary<string, ReportCharts.Chart?> Sections)
{
    public sealed record Text(double X, string Content);

    public sealed record Chart(List<Text> Inside, List<Text> Outside)
    {
        /// <summary>Category label → the value written on the bar above it.</summary>
        public Dictionary<string, string> Bars()
        {
            var bars = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in Outside)
            {
                if (Inside.FirstOrDefault(v => Math.Abs(v.X - label.X) < 0.5) is { } value)
                {
                    bars.TryAdd(label.Content, value.Content);
                }
            }

            return bars;
        }
    }

    public static async Task<ReportCharts> ReadAsync(string htmlPath)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Web.Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync("file://" + htmlPath);
        var json = await page.EvaluateAsync<string>("""
            () => {
              const at = t => { const m = t.transform.baseVal.consolidate(); return m ? m.matrix.e : NaN; };
              const text = t => ({ x: at(t), content: t.textContent.trim() });
              const sections = {};
              for (const s of document.querySelectorAll('section')) {
                const svg = s.querySelector('svg');
                sections[s.id] = svg && {
                  inside: [...svg.querySelectorAll('g[clip-path] text')].map(text),
                  outside: [...svg.querySelectorAll('text')].filter(t => !t.closest('g[clip-path]')).map(text),
                };
              }
              return JSON.stringify({ scripts: document.scripts.length, summary: document.getElementById('summary')?.textContent ?? '',
                matrixRows: document.querySelectorAll('#matrix tr').length, sections });
            }
            """);
        var root = JsonNode.Parse(json)!;
        var sections = root["sections"]!.AsObject().ToDictionary(p => p.Key, p => p.Value is JsonObject chart
            ? new Chart(Texts(chart["inside"]), Texts(chart["outside"]))
            : null);
        return new ReportCharts(root["scripts"]!.GetValue<int>(), root["summary"]!.GetValue<string>(), root["matrixRows"]!.GetValue<int>(), sections);
    }

    private static List<Text> Texts(JsonNode? array) =>
        array!.AsArray().Select(t => new Text(t!["x"]!.GetValue<double>(), t["content"]!.GetValue<string>())).ToList();

    /// <summary>The evaluation report's chart sections, in page order (DESIGN §4.5).</summary>
    public static readonly string[] ChartIds = ["cameraForce", "hour", "week", "movement", "suspects", "funnel", "review", "operations"];

    /// <summary>
    /// The charts a report must show, checked against the same period's JSON report: every section drawn as SVG with no
    /// script, and the camera-force and hour-of-day bars labelled with the JSON's counts.
    /// </summary>
    public void AssertMatches(JsonNode json)
    {
        var byCameraForce = json["hits"]!["byCameraForce"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToJsonString());
        var byHour = json["hits"]!["byHourUk"]!.AsArray().Select((n, h) => (Hour: h.ToString("00", System.Globalization.CultureInfo.InvariantCulture), Count: n!.ToJsonString()))
            .ToDictionary(p => p.Hour, p => p.Count);
        Assert.Multiple(() =>
        {
            Assert.That(Scripts, Is.Zero, "the report draws its charts without any script");
            Assert.That(Sections.Keys, Is.EqualTo(ChartIds));
            Assert.That(Sections.Values, Has.All.Not.Null, "every section carries an SVG chart");
            Assert.That(byCameraForce, Is.Not.Empty, "a report with no hits would prove nothing");
            var cameraForce = Sections["cameraForce"]!;
            Assert.That(cameraForce.Inside, Has.Count.EqualTo(byCameraForce.Count), "one value label per camera force");
            Assert.That(byCameraForce.Keys.ToDictionary(k => k, k => cameraForce.Bars().GetValueOrDefault(k)), Is.EqualTo(byCameraForce));
            var hour = Sections["hour"]!;
            Assert.That(hour.Inside, Has.Count.EqualTo(24));
            Assert.That(byHour.Keys.ToDictionary(k => k, k => hour.Bars().GetValueOrDefault(k)), Is.EqualTo(byHour));
            Assert.That(Summary, Does.Contain($"{json["hits"]!["total"]} hits"));
            Assert.That(MatrixRows, Is.GreaterThan(1));
        });
    }
}
