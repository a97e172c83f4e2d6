using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AnprWatch.Core.Reports;
using AnprWatch.Core.Time;

namespace AnprWatch.Reports;

/// <summary>
/// The evaluation as one self-contained HTML file: Chart.js (from npm, see tools/charts) is inlined, so the file opens
/// offline, e.g. attached to a governance paper. Data goes in as JSON that System.Text.Json has escaped for script
/// context; every label is drawn by the library or set as text, never parsed as markup.
/// </summary>
public static class HtmlReport
{
    private const string ChartResource = "reports.chart.umd.js";

    public static string Render(EvaluationReport report, bool includeVrms = false)
    {
        using var library = typeof(HtmlReport).Assembly.GetManifestResourceStream(ChartResource)
            ?? throw new InvalidOperationException("the chart library is not bundled in this build: run `npm ci` in tools/charts (./build.sh does) and rebuild");
        using var reader = new StreamReader(library);
        var chartJs = reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);

        var hits = report.Hits;
        var byWeek = hits.GroupBy(h => StartOfWeek(UkTime.DateOf(h.ObservedAt))).OrderBy(g => g.Key)
            .Select(g => new { week = g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), hits = g.Count() });
        var matrix = hits.GroupBy(h => (Host: h.HostForce.Code, Camera: h.CameraForce.Code))
            .Select(g => new { host = g.Key.Host, camera = g.Key.Camera, hits = g.Count() }).OrderBy(c => c.host, StringComparer.Ordinal).ThenBy(c => c.camera, StringComparer.Ordinal);
        // Suspect references identify a flagged vehicle for the governance group; plates are shown only when asked for.
        var perSuspect = hits.GroupBy(h => includeVrms ? $"{h.SuspectRef} ({h.MarkerVrm})" : h.SuspectRef).Select(g => new { suspect = g.Key, hits = g.Count() }).OrderByDescending(s => s.hits).ThenBy(s => s.suspect, StringComparer.Ordinal);
        var operations = hits.Where(h => h.Operation is not null).GroupBy(h => h.HostForce.Code)
            .Select(g => new { force = g.Key, operations = g.Select(h => h.Operation).Distinct().Count() });
        var data = JsonSerializer.Serialize(new { report = report.Json, byWeek, matrix, perSuspect, operations });

        var title = $"AnprWatch evaluation {report.Json["from"]} to {report.Json["to"]}";
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#0f172a}section{margin:2rem 0}canvas{max-height:360px}#suspects{max-height:none}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:right}th{background:#f1f5f9}</style></head><body>")
            .Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1><p id=\"summary\"></p>")
            .Append(Section("cameraForce", "Hits by camera force"))
            .Append(Section("hour", "Hits by hour of day (UK local time)"))
            .Append(Section("week", "Hits by week"))
            .Append(Section("movement", "Movement: host force → camera force (stacked by host force)"))
            .Append("<div style=\"overflow-x:auto\"><table id=\"matrix\"></table></div>")
            .Append(Section("suspects", "Hits per flagged vehicle (by suspect reference)"))
            .Append(Section("funnel", "Outcome funnel"))
            .Append(Section("review", "Review compliance of active markers"))
            .Append(Section("operations", "Live operations per host force"))
            .Append("<script id=\"data\" type=\"application/json\">").Append(data).Append("</script>")
            .Append("<script>").Append(chartJs).Append("</script>")
            .Append("<script>").Append(Script).Append("</script></body></html>");
        return html.ToString();
    }

    private static string Section(string id, string heading) => $"<section><h2>{WebUtility.HtmlEncode(heading)}</h2><canvas id=\"{id}\"></canvas></section>";

    private static DateOnly StartOfWeek(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    private const string Script = """
        "use strict";
        const d = JSON.parse(document.getElementById("data").textContent);
        const r = d.report;
        Chart.defaults.animation = false;
        const bar = (id, labels, values, label, extra) => new Chart(document.getElementById(id), { type: "bar", data: { labels, datasets: [{ label, data: values }] }, options: extra || {} });
        document.getElementById("summary").textContent =
          `${r.vehiclesFlagged} vehicles flagged, ${r.vehiclesWithHits} with hits; ${r.hits.total} hits (${r.hits.outOfForce} out of force), ${r.hits.alerted} alerted.`;
        bar("cameraForce", Object.keys(r.hits.byCameraForce), Object.values(r.hits.byCameraForce), "hits");
        bar("hour", [...Array(24).keys()].map(h => String(h).padStart(2, "0") + ":00"), r.hits.byHourUk, "hits");
        bar("week", d.byWeek.map(w => w.week), d.byWeek.map(w => w.hits), "hits");
        const hosts = [...new Set(d.matrix.map(c => c.host))], cameras = [...new Set(d.matrix.map(c => c.camera))];
        new Chart(document.getElementById("movement"), { type: "bar", data: { labels: cameras,
          datasets: hosts.map(h => ({ label: h, data: cameras.map(c => (d.matrix.find(m => m.host === h && m.camera === c) || { hits: 0 }).hits) })) },
          options: { scales: { x: { stacked: true }, y: { stacked: true } } } });
        const table = document.getElementById("matrix");
        const head = table.insertRow(); head.appendChild(document.createElement("th")).textContent = "host \\ camera";
        for (const c of cameras) head.appendChild(document.createElement("th")).textContent = c;
        for (const h of hosts) { const row = table.insertRow(); row.appendChild(document.createElement("th")).textContent = h;
          for (const c of cameras) row.insertCell().textContent = (d.matrix.find(m => m.host === h && m.camera === c) || { hits: 0 }).hits; }
        document.getElementById("suspects").style.minHeight = Math.max(200, d.perSuspect.length * 18) + "px";
        bar("suspects", d.perSuspect.map(s => s.suspect), d.perSuspect.map(s => s.hits), "hits", { indexAxis: "y", maintainAspectRatio: false, scales: { y: { ticks: { autoSkip: false } } } });
        bar("funnel", ["alerted", "acknowledged", "disruption", "safeguarding"], [r.hits.alerted, r.outcomes.acknowledged, r.outcomes.disruption, r.outcomes.safeguarding], "hits");
        new Chart(document.getElementById("review"), { type: "doughnut", data: { labels: ["in date", "review overdue"],
          datasets: [{ data: [r.markers.active - r.markers.reviewOverdue, r.markers.reviewOverdue] }] } });
        bar("operations", d.operations.map(o => o.force), d.operations.map(o => o.operations), "operations");
        document.body.dataset.rendered = "true";
        """;
}
