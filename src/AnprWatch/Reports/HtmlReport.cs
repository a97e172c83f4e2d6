using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AnprWatch.Core.Reports;
using AnprWatch.Core.Time;
using ScottPlot;

namespace AnprWatch.Reports;

/// <summary>
/// The evaluation as one self-contained HTML file with no script: every chart is drawn here, server-side, as inline
/// SVG by ScottPlot, so the file opens offline (e.g. attached to a governance paper), prints as vectors, and needs no
/// chart library from npm. Every bar carries its value. Labels reach the page only as SVG/HTML text, escaped.
/// </summary>
public static partial class HtmlReport
{
    private const int Width = 960;
    private const string BarColour = "#2563eb";
    private const string OthersColour = "#94a3b8";
    private const string OthersPrefix = "others (";

    // Fonts are named in the SVG with fallbacks, so a reader without DejaVu still gets a sans-serif face.
    private const string FontName = "DejaVu Sans";
    private const string FontFallback = "DejaVu Sans, Verdana, Arial, sans-serif";

    public static string Render(EvaluationReport report, bool includeVrms = false)
    {
        var r = report.Json;
        var hits = report.Hits;
        var title = $"AnprWatch evaluation {r["from"]} to {r["to"]}";
        var figures = r["hits"]!.AsObject();

        var byCameraForce = figures["byCameraForce"]!.AsObject().Select(p => (p.Key, Number(p.Value))).ToList();
        var byHour = figures["byHourUk"]!.AsArray().Select((n, h) => (h.ToString("00", CultureInfo.InvariantCulture), Number(n))).ToList();
        var byWeek = hits.GroupBy(h => StartOfWeek(UkTime.DateOf(h.ObservedAt))).OrderBy(g => g.Key)
            .Select(g => (g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (double)g.Count())).ToList();
        // The movement matrix comes from the JSON, so every format carries the same figures.
        var matrix = r["movement"]!.AsObject().SelectMany(host => host.Value!.AsObject().Select(c => (Key: (Host: host.Key, Camera: c.Key), N: (int)Number(c.Value))))
            .ToDictionary(p => p.Key, p => p.N);
        var hosts = matrix.Keys.Select(k => k.Host).Distinct().Order(StringComparer.Ordinal).ToList();
        var cameras = matrix.Keys.Select(k => k.Camera).Distinct().Order(StringComparer.Ordinal).ToList();

        // Suspect references identify a flagged vehicle for the governance group; plates are shown only when asked for.
        // Only the busiest vehicles get a bar of their own (a bar per vehicle ran to thousands of pixels); the rest are summed.
        var perSuspect = TopWithOthers(hits.GroupBy(h => includeVrms ? $"{h.SuspectRef} ({h.MarkerVrm})" : h.SuspectRef)
            .Select(g => (g.Key, (double)g.Count())).OrderByDescending(s => s.Item2).ThenBy(s => s.Key, StringComparer.Ordinal).ToList(), TopN);
        var overall = r["funnel"]!["overall"]!.AsObject();
        var funnel = new List<(string, double)> { ("alerted", Number(overall["alerted"])) };
        // Each stage's label carries its share of the alerted hits, so the rate reads without a second chart.
        funnel.AddRange(EvaluationFunnel.Stages.Select(stage => (overall["rates"]![stage] is { } rate
            ? $"{stage} {Math.Round(Number(rate) * 100).ToString("0", CultureInfo.InvariantCulture)}%" : stage, Number(overall[stage]))));
        // Review compliance as it stood at the period's end, like the JSON's reviewCompliance: today's list would grade a
        // past period by reviews done (or missed) after it.
        var compliance = r["reviewCompliance"]!.AsObject();
        var review = new List<(string, double)>
        {
            ("in date", Number(compliance["active"]) - Number(compliance["overdue"])),
            ("review overdue", Number(compliance["overdue"])),
        };
        var operations = hits.Where(h => h.Operation is not null).GroupBy(h => h.HostForce.Code).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (double)g.Select(h => h.Operation).Distinct().Count())).ToList();

        var summary = $"{r["vehiclesFlagged"]} vehicles flagged, {r["vehiclesWithHits"]} with hits; {figures["total"]} hits ({figures["outOfForce"]} out of force), {figures["alerted"]} alerted; {figures["possibleClones"]} possible clones, {figures["confirmedMisreads"]} confirmed misreads, {figures["locationRaised"]} raised a priority step by a flagged location.";
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#0f172a}section{margin:2rem 0;break-inside:avoid}")
            .Append("figure{margin:0}figure svg{max-width:100%;height:auto}p.empty{color:#475569}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:right}th{background:#f1f5f9}")
            .Append("@media print{body{margin:0}section{page-break-inside:avoid}}</style></head>")
            .Append("<body data-rendered=\"true\">")
            .Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1><p id=\"summary\">").Append(WebUtility.HtmlEncode(summary)).Append("</p>")
            .Append(Section("cameraForce", "Hits by camera force", BarChart("cameraForce", byCameraForce, "hits", "camera force")))
            .Append(Section("hour", "Hits by hour of day (UK local time)", BarChart("hour", byHour, "hits", "hour of day (UK)")))
            .Append(Section("week", "Hits by week", BarChart("week", byWeek, "hits", "week starting (Monday)")))
            .Append(Section("movement", "Movement: host force → camera force (stacked by host force)", StackedChart("movement", cameras, hosts, matrix)))
            .Append("<div style=\"overflow-x:auto\">").Append(MatrixTable(cameras, hosts, matrix)).Append("</div>")
            .Append(Section("suspects", "Hits per flagged vehicle (by suspect reference)", BarChart("suspects", perSuspect, "hits", null, horizontal: true)))
            .Append(Section("funnel", "Outcome funnel", BarChart("funnel", funnel, "hits", null)))
            .Append(Section("review", $"Review compliance of the markers active at {compliance["asOf"]}", BarChart("review", review, "markers", null)))
            .Append(Section("operations", "Live operations per host force", BarChart("operations", operations, "operations", "host force")))
            .Append("</body></html>");
        return html.ToString();
    }

    /// <summary>Bars given their own category in a ranked chart; the rest share one "others" bar.</summary>
    public const int TopN = 15;

    /// <summary>The first <paramref name="n"/> of a ranked list, then one "others (k)" bar holding the sum of the rest.</summary>
    public static List<(string Label, double Value)> TopWithOthers(List<(string Label, double Value)> ranked, int n)
    {
        if (ranked.Count <= n)
        {
            return ranked;
        }

        var rest = ranked.Skip(n).ToList();
        return [.. ranked.Take(n), ($"{OthersPrefix}{rest.Count})", rest.Sum(x => x.Value))];
    }

    // Figures in the JSON are counts (int) or, for medians, doubles; a missing figure is charted as zero.
    private static double Number(JsonNode? node) => node is null ? 0 : double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Section(string id, string heading, string chart) =>
        $"<section id=\"{id}\"><h2>{WebUtility.HtmlEncode(heading)}</h2>{chart}</section>";

    private static DateOnly StartOfWeek(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    private static string Label(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// The movement matrix with a row per camera force and a column per host force: host forces are few (the scope),
    /// camera forces many, so the table grows down the page instead of off the side of an A4 sheet.
    /// </summary>
    private static string MatrixTable(List<string> cameras, List<string> hosts, Dictionary<(string Host, string Camera), int> matrix)
    {
        var table = new StringBuilder("<table id=\"matrix\"><tr><th>camera \\ host</th>");
        foreach (var host in hosts)
        {
            table.Append("<th>").Append(WebUtility.HtmlEncode(host)).Append("</th>");
        }

        table.Append("</tr>");
        foreach (var camera in cameras)
        {
            table.Append("<tr><th>").Append(WebUtility.HtmlEncode(camera)).Append("</th>");
            foreach (var host in hosts)
            {
                table.Append("<td>").Append(matrix.GetValueOrDefault((host, camera)).ToString(CultureInfo.InvariantCulture)).Append("</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</table>").ToString();
    }

    /// <summary>One bar per category, its value written on it; the value axis starts at zero and counts in whole numbers.</summary>
    private static string BarChart(string id, IReadOnlyList<(string Label, double Value)> data, string valueAxis, string? categoryAxis, bool horizontal = false)
    {
        if (data.Count == 0)
        {
            return "<p class=\"empty\">Nothing to chart in this period.</p>";
        }

        var plot = NewPlot();
        var count = data.Count;
        var bars = data.Select((d, i) => new Bar
        {
            // Horizontal charts list the first category at the top.
            Position = horizontal ? count - 1 - i : i,
            Value = d.Value,
            ValueLabel = Label(d.Value),
            // The summed "others" bar is grey: it is many vehicles, not one, and must not read as the busiest.
            FillColor = Color.FromHex(d.Label.StartsWith(OthersPrefix, StringComparison.Ordinal) ? OthersColour : BarColour),
            LineWidth = 0,
            Size = 0.7,
        }).ToList();
        var series = plot.Add.Bars(bars);
        series.Horizontal = horizontal;
        series.ValueLabelStyle.FontSize = count > 30 ? 10 : 12;
        series.ValueLabelStyle.FontName = FontName;

        var positions = bars.Select(b => b.Position).ToArray();
        var labels = data.Select(d => d.Label).ToArray();
        var top = CountAxisTop(data.Max(d => d.Value));
        int height;
        if (horizontal)
        {
            height = Math.Max(200, (count * 22) + 80);
            plot.Axes.Left.SetTicks(positions, labels);
            plot.Axes.Left.MajorTickStyle.Length = 0;
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.SetLimits(0, top, -0.6, count - 0.4);
            plot.XLabel(valueAxis);
        }
        else
        {
            height = 360;
            plot.Axes.Bottom.SetTicks(positions, labels);
            plot.Axes.Bottom.MajorTickStyle.Length = 0;
            height += RotateWhenCrowded(plot, labels);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.SetLimits(-0.6, count - 0.4, 0, top);
            plot.YLabel(valueAxis);
            if (categoryAxis is not null)
            {
                plot.XLabel(categoryAxis);
            }
        }

        return Svg(id, plot, height, $"{valueAxis} by {categoryAxis ?? "category"}");
    }

    /// <summary>Hits per camera force, each bar stacked by host force; the stack's total is written on it.</summary>
    private static string StackedChart(string id, List<string> cameras, List<string> hosts, Dictionary<(string Host, string Camera), int> matrix)
    {
        if (cameras.Count == 0)
        {
            return "<p class=\"empty\">Nothing to chart in this period.</p>";
        }

        var plot = NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        var baseOf = new double[cameras.Count];
        var totals = cameras.Select(c => hosts.Sum(h => matrix.GetValueOrDefault((h, c)))).ToArray();
        var lastHost = cameras.Select(c => hosts.Last(h => matrix.GetValueOrDefault((h, c)) > 0)).ToArray();
        for (var s = 0; s < hosts.Count; s++)
        {
            var host = hosts[s];
            var colour = palette.GetColor(s);
            var bars = new List<Bar>();
            for (var c = 0; c < cameras.Count; c++)
            {
                var n = matrix.GetValueOrDefault((host, cameras[c]));
                if (n == 0)
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = c,
                    ValueBase = baseOf[c],
                    Value = baseOf[c] + n,
                    ValueLabel = lastHost[c] == host ? Label(totals[c]) : "",
                    FillColor = colour,
                    LineWidth = 0,
                    Size = 0.7,
                });
                baseOf[c] += n;
            }

            var series = plot.Add.Bars(bars);
            series.LegendText = host;
            series.ValueLabelStyle.FontName = FontName;
            series.ValueLabelStyle.FontSize = 12;
        }

        var labels = cameras.ToArray();
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, cameras.Count).Select(i => (double)i).ToArray(), labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        var height = 400 + RotateWhenCrowded(plot, labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimits(-0.6, cameras.Count - 0.4, 0, CountAxisTop(totals.Max()));
        plot.YLabel("hits");
        plot.XLabel("camera force");
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontName = FontName;
        return Svg(id, plot, height, "hits by camera force, stacked by host force");
    }

    /// <summary>
    /// The top of a count axis: a whole number with room above the tallest bar for its value. At least 5, so a chart of
    /// ones and zeros does not read as a 0–1 proportion scale and its integer ticks (0, 1, 2, …) show what they count.
    /// </summary>
    private static double CountAxisTop(double tallest) => Math.Max(5, Math.Ceiling(tallest * 1.15) + 1);

    private static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Axes.Right.IsVisible = false;
        plot.Axes.Top.IsVisible = false;
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        return plot;
    }

    /// <summary>Long or many category labels are turned -45°; returns the extra height they need.</summary>
    private static int RotateWhenCrowded(Plot plot, string[] labels)
    {
        var longest = labels.Length == 0 ? 0 : labels.Max(l => l.Length);
        if (labels.Length * Math.Max(longest, 2) * 8 < Width - 120)
        {
            return 0;
        }

        // Turned down to the left, the labels hang into the value axis's margin rather than off the right edge.
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        var room = (int)Math.Ceiling(Math.Min(longest, 40) * 7.5 * 0.71) + 40;
        plot.Axes.Bottom.MinimumSize = room;
        return room;
    }

    /// <summary>
    /// The plot as inline SVG: no XML prolog, ids prefixed by the chart's (several SVGs share one document), scalable,
    /// named for screen readers, and each glyph run placed from its start so any fallback font stays readable.
    /// </summary>
    private static string Svg(string id, Plot plot, int height, string description)
    {
        var svg = plot.GetSvgXml(Width, height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        svg = svg[start..];
        svg = svg.Replace(" id=\"", $" id=\"{id}-", StringComparison.Ordinal).Replace("url(#", $"url(#{id}-", StringComparison.Ordinal);
        svg = GlyphPositions().Replace(svg, m => $" {m.Groups[1].Value}=\"{m.Groups[2].Value}\"");
        svg = svg.Replace($"font-family=\"{FontName}\"", $"font-family=\"{FontFallback}\"", StringComparison.Ordinal);
        var root = svg.IndexOf('>', StringComparison.Ordinal);
        svg = svg[..root] + FormattableString.Invariant($" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(description)}\"") + svg[root..];
        return $"<figure class=\"chart\">{svg}</figure>";
    }

    [GeneratedRegex(" (x|y)=\"(-?[0-9.eE+-]+), [^\"]*\"", RegexOptions.CultureInvariant)]
    private static partial Regex GlyphPositions();
}
