using System.Globalization;
using System.Text;

namespace AnprWatch.Tests.Hardening;

/// <summary>
/// DESIGN §7: text that came from a read feed, a marker list or a user is planted in every free-text field that
/// reaches an export; every CSV export must parse back to the right number of columns with no cell a spreadsheet
/// would evaluate, and the HTML report must carry the markup as text, never as markup.
/// </summary>
public class ExportEscapingTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";
    private const string Markup = "</script><img src=x onerror=alert(1)>";

    /// <summary>RFC 4180 records, independent of the product's own reader.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.That(quoted, Is.False, "an unterminated quoted field");
        return records;
    }

    private static void AssertSafeCsv(string name, string csv, params string[] planted)
    {
        var records = ParseCsv(csv);
        Assert.That(records, Has.Count.GreaterThan(1), $"{name}: no rows");
        var cells = records.SelectMany(r => r).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Count), Has.All.EqualTo(records[0].Count), $"{name}: a field broke out of its column");
            Assert.That(cells.Where(c => c.Length > 0 && c[0] is '=' or '+' or '-' or '@' && !double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)),
                Is.Empty, $"{name}: a cell a spreadsheet would evaluate");
            foreach (var value in planted)
            {
                Assert.That(cells, Does.Contain(value[0] is '=' or '+' or '-' or '@' ? "'" + value : value), $"{name}: the planted text is missing, so this proves nothing");
            }
        });
    }

    [Test]
    public async Task Every_csv_export_is_formula_safe_and_the_html_report_shows_markup_as_text()
    {
        using var cli = new CliRunner();
        const string Operation = "-OP \"Railcar\", phase 2";
        const string Contact = "+44 117 555 0100";
        const string Action = "notify RIU,\nthen log";
        const string Suspect = "-SR<img src=x onerror=alert(2)>";
        var csv = cli.PathOf("markers.csv");
        await File.WriteAllTextAsync(csv, $"{Header}\nAB12CDE,{Suspect},HIGH,avon-and-somerset,2020-01-01,,\"{Operation.Replace("\"", "\"\"", StringComparison.Ordinal)}\",\"{Action}\",{Contact},ACT\n");
        var import = await cli.RunAsync("markers", "import", csv, "--force", "avon-and-somerset", "--user", "@SUM(A1)");
        Assert.That(import.ExitCode, Is.Zero, import.Err);

        const string Site = "=HYPERLINK(\"http://x\",\"click\")";
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllTextAsync(reads, $$"""{"readId":"r-1","vrm":"AB12CDE","cameraId":"CAM-1","forceCode":"WILTSHIRE","observedAt":"2026-06-02T22:30:00Z","site":{{System.Text.Json.JsonSerializer.Serialize(Site + Markup)}}}""" + "\n");
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);

        var period = new[] { "--from", "2026-06-01", "--to", "2026-06-30", "--justification", "=1+1+1+1+1+1", "--user", "-analyst" };
        var today = TestClock.UtcNow;
        var auditPeriod = new[] { "--from", today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", today.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };

        AssertSafeCsv("hits list", (await cli.RunAsync(["hits", "list", .. period, "--format", "csv"])).Out, Site + Markup);
        AssertSafeCsv("markers list", (await cli.RunAsync("markers", "list", "--format", "csv")).Out, Suspect, Operation, Contact, Action);
        AssertSafeCsv("markers review-due", (await cli.RunAsync("markers", "review-due", "--format", "csv")).Out, Operation, Contact, Action);
        AssertSafeCsv("markers history", (await cli.RunAsync("markers", "history", "--force", "avon-and-somerset", "--format", "csv")).Out, "@SUM(A1)");
        AssertSafeCsv("audit list", (await cli.RunAsync(["audit", "list", .. auditPeriod, "--format", "csv"])).Out, "@SUM(A1)", "=1+1+1+1+1+1", "-analyst");

        var reportCsv = cli.PathOf("report.csv");
        var csvRun = await cli.RunAsync(["report", "evaluation", .. period, "--format", "csv", "--out", reportCsv]);
        Assert.That(csvRun.ExitCode, Is.Zero, csvRun.Err);
        AssertSafeCsv("report evaluation csv", await File.ReadAllTextAsync(reportCsv)); // figures and labels only: no free text reaches it

        var reportHtml = cli.PathOf("report.html");
        var htmlRun = await cli.RunAsync(["report", "evaluation", .. period, "--format", "html", "--out", reportHtml, "--include-vrms"]);
        Assert.That(htmlRun.ExitCode, Is.Zero, htmlRun.Err);
        var html = await File.ReadAllTextAsync(reportHtml);
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("AB12CDE").And.Contain("onerror=alert(2)"), "the report carries the planted marker and suspect, as data");
            Assert.That(html, Does.Not.Contain("<img src=x"));
            Assert.That(html.Split("</script>").Length - 1, Is.EqualTo(html.Split("<script").Length - 1), "every script block is closed by the page, not by data");
        });
    }
}
