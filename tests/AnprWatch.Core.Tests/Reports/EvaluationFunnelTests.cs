using System.Text.Json.Nodes;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Reports;

namespace AnprWatch.Core.Tests.Reports;

/// <summary>
/// The §4.5 extension (funnel, rates, time to acknowledge, reasons, per suspect/marker, movement, review compliance)
/// on a scenario small enough to work out by hand: every expected figure below is written out literally.
/// </summary>
public class EvaluationFunnelTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    // Three suspects; S1 and S2 flagged by Avon and Somerset, S3 by Wiltshire. Review due: before the period's end,
    // on its last day (not yet overdue), after it.
    private static readonly Marker S1 = new("AB12CDE", "S1", RiskLevel.High, ForceRegistry.Get("avon-and-somerset"), new DateOnly(2026, 6, 1), null, null, null, null, "ACT");
    private static readonly Marker S2 = new("CD34EFG", "S2", RiskLevel.High, ForceRegistry.Get("avon-and-somerset"), new DateOnly(2026, 6, 30), null, null, null, null, "ACT");
    private static readonly Marker S3 = new("EF56GHI", "S3", RiskLevel.Medium, ForceRegistry.Get("wiltshire"), new DateOnly(2026, 7, 15), null, null, null, null, "ACT");

    private static Hit HitOf(string id, Marker marker, string camera, Priority priority, MatchKind kind = MatchKind.Exact, bool suppressed = false) => new()
    {
        HitId = id, AlertId = "a-" + id, ReadId = "r-" + id, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm, MatchKind = kind,
        ObservedAt = Noon, CameraId = "CAM-1", CameraForce = ForceRegistry.Get(camera), HostForce = marker.HostForce, Risk = marker.Risk,
        Priority = priority, SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = false, RecordedAt = Noon,
        NotAlertedReason = suppressed ? NotAlertedReason.Suppressed : NotAlertedReason.None,
    };

    private static OutcomeRecord At(string hit, string status, int minutes, string? reason = null) => new(hit, status, Noon.AddMinutes(minutes), reason);

    private static EvaluationReport Scenario()
    {
        Hit[] hits =
        [
            HitOf("h1", S1, "wiltshire", Priority.Urgent),
            HitOf("h2", S1, "wiltshire", Priority.Urgent),
            HitOf("h3", S2, "dorset", Priority.High, MatchKind.OcrEquivalent),
            HitOf("h4", S2, "dorset", Priority.Routine),
            HitOf("h5", S3, "dorset", Priority.Routine),
            HitOf("h6", S3, "wiltshire", Priority.High),
            HitOf("h7", S1, "wiltshire", Priority.Routine, suppressed: true),
        ];
        OutcomeRecord[] outcomes =
        [
            At("h1", "acknowledged", 2), At("h1", "dispatched", 5), At("h1", "stopped", 20), At("h1", "safeguarding", 40),
            At("h2", "acknowledged", 4), At("h2", "dispatched", 8), At("h2", "no-trace", 30, "other"),
            At("h3", "acknowledged", 6), At("h3", "false-hit", 9, "misread"),
            At("h4", "acknowledged", 10), At("h4", "dispatched", 12), At("h4", "stopped", 25), At("h4", "disruption", 50),
            At("h5", "acknowledged", 30), At("h5", "acknowledged", 40), // only the first acknowledgement counts
        ];
        return EvaluationReport.Build(new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30), ReportScope.All, hits, outcomes, [S1, S2, S3], new DateOnly(2026, 7, 1));
    }

    private static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(actual!.ToJsonString(), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString()));

    [Test]
    public void The_funnel_counts_each_alerted_hit_once_per_status_with_shares_of_the_alerted()
    {
        var funnel = Scenario().Json["funnel"];
        AssertJson(funnel!["overall"], """
            {"alerted":6,"acknowledged":5,"dispatched":3,"stopped":2,"disruption":1,"safeguarding":1,"no-trace":1,"false-hit":1,
             "rates":{"acknowledged":0.833,"dispatched":0.5,"stopped":0.333,"disruption":0.167,"safeguarding":0.167,"no-trace":0.167,"false-hit":0.167}}
            """);
        AssertJson(funnel["byCameraForce"], """
            {"dorset":{"alerted":3,"acknowledged":3,"dispatched":1,"stopped":1,"disruption":1,"safeguarding":0,"no-trace":0,"false-hit":1,
                       "rates":{"acknowledged":1,"dispatched":0.333,"stopped":0.333,"disruption":0.333,"safeguarding":0,"no-trace":0,"false-hit":0.333}},
             "wiltshire":{"alerted":3,"acknowledged":2,"dispatched":2,"stopped":1,"disruption":0,"safeguarding":1,"no-trace":1,"false-hit":0,
                       "rates":{"acknowledged":0.667,"dispatched":0.667,"stopped":0.333,"disruption":0,"safeguarding":0.333,"no-trace":0.333,"false-hit":0}}}
            """);
        AssertJson(funnel["byPriority"], """
            {"high":{"alerted":2,"acknowledged":1,"dispatched":0,"stopped":0,"disruption":0,"safeguarding":0,"no-trace":0,"false-hit":1,
                     "rates":{"acknowledged":0.5,"dispatched":0,"stopped":0,"disruption":0,"safeguarding":0,"no-trace":0,"false-hit":0.5}},
             "routine":{"alerted":2,"acknowledged":2,"dispatched":1,"stopped":1,"disruption":1,"safeguarding":0,"no-trace":0,"false-hit":0,
                     "rates":{"acknowledged":1,"dispatched":0.5,"stopped":0.5,"disruption":0.5,"safeguarding":0,"no-trace":0,"false-hit":0}},
             "urgent":{"alerted":2,"acknowledged":2,"dispatched":2,"stopped":1,"disruption":0,"safeguarding":1,"no-trace":1,"false-hit":0,
                     "rates":{"acknowledged":1,"dispatched":1,"stopped":0.5,"disruption":0,"safeguarding":0.5,"no-trace":0.5,"false-hit":0}}}
            """);
        AssertJson(funnel["byMatchKind"], """
            {"exact":{"alerted":5,"acknowledged":4,"dispatched":3,"stopped":2,"disruption":1,"safeguarding":1,"no-trace":1,"false-hit":0,
                      "rates":{"acknowledged":0.8,"dispatched":0.6,"stopped":0.4,"disruption":0.2,"safeguarding":0.2,"no-trace":0.2,"false-hit":0}},
             "ocr-equivalent":{"alerted":1,"acknowledged":1,"dispatched":0,"stopped":0,"disruption":0,"safeguarding":0,"no-trace":0,"false-hit":1,
                      "rates":{"acknowledged":1,"dispatched":0,"stopped":0,"disruption":0,"safeguarding":0,"no-trace":0,"false-hit":1}}}
            """);
    }

    [Test]
    public void Time_to_acknowledge_reasons_and_review_compliance_are_the_hand_worked_figures()
    {
        var json = Scenario().Json;

        // First acknowledgements after 2, 4, 6, 10 and 30 minutes: nearest rank p50 = 3rd = 6, p90 = 5th = 30.
        AssertJson(json["timeToAcknowledge"], """{"count":5,"p50Minutes":6,"p90Minutes":30}""");
        Assert.That(json["medianMinutesToAcknowledge"]!.GetValue<double>(), Is.EqualTo(6));
        AssertJson(json["reasons"], """{"false-hit":{"misread":1},"no-trace":{"other":1}}""");

        // S1 was due on 1 June (overdue on 30 June); S2 is due on 30 June itself (not yet overdue); S3 in July.
        AssertJson(json["reviewCompliance"], """{"asOf":"2026-06-30","active":3,"overdue":1}""");
    }

    [Test]
    public void Per_suspect_per_marker_and_movement_carry_what_the_html_charts()
    {
        var json = Scenario().Json;
        AssertJson(json["perSuspect"], """
            {"S1":{"hits":3,"alerted":2,"outcomes":{"acknowledged":2,"dispatched":2,"no-trace":1,"safeguarding":1,"stopped":1}},
             "S2":{"hits":2,"alerted":2,"outcomes":{"acknowledged":2,"dispatched":1,"disruption":1,"false-hit":1,"stopped":1}},
             "S3":{"hits":2,"alerted":2,"outcomes":{"acknowledged":1}}}
            """);
        Assert.That(json["perMarker"]![S2.MarkerId]!.ToJsonString(), Is.EqualTo(JsonNode.Parse("""
            {"suspectRef":"S2","hits":2,"alerted":2,"outcomes":{"acknowledged":2,"dispatched":1,"disruption":1,"false-hit":1,"stopped":1}}
            """)!.ToJsonString()));
        AssertJson(json["movement"], """
            {"avon-and-somerset":{"dorset":2,"wiltshire":3},"wiltshire":{"dorset":1,"wiltshire":1}}
            """);
    }

    [Test]
    public void Every_json_figure_appears_in_the_csv_rows()
    {
        var report = Scenario();
        var rows = report.Rows().ToDictionary(r => r.Section + "/" + r.Key, r => r.Value);
        var leaves = new List<(string Path, string Value)>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                    {
                        Walk(v, path.Length == 0 ? k + "/" : path.EndsWith('/') ? path + k : path + "." + k);
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        Walk(a[i], path + "." + i);
                    }

                    break;
                default:
                    leaves.Add((path, node?.ToJsonString().Trim('"') ?? ""));
                    break;
            }
        }

        Walk(report.Json, "");
        Assert.That(leaves, Has.Count.GreaterThan(150));
        Assert.Multiple(() =>
        {
            foreach (var (path, value) in leaves)
            {
                Assert.That(rows.GetValueOrDefault(path), Is.EqualTo(value), path);
            }
        });
        Assert.That(rows["funnel/overall.rates.acknowledged"], Is.EqualTo("0.833"));
        Assert.That(rows["movement/avon-and-somerset.dorset"], Is.EqualTo("2"));
    }
}
