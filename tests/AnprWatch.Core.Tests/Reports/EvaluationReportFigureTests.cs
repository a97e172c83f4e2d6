using System.Text.Json.Nodes;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Reports;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Reports;

/// <summary>
/// DESIGN §4.5 headline figures (markers, vehicles, hits by kind/risk/priority/force/UK hour, outcomes, time to
/// acknowledge) on a scenario small enough to count by hand. The period is June 2026 in UK local dates (BST).
/// </summary>
public class EvaluationReportFigureTests
{
    private static readonly DateOnly From = new(2026, 6, 1);
    private static readonly DateOnly To = new(2026, 6, 30);
    private static readonly DateOnly Today = new(2026, 7, 1);

    // M1 is overdue for review (1 May); M4 is the same plate as M1, linked to another suspect by Wiltshire.
    private static readonly Marker M1 = Marker("AB12CDE", "SR-1", RiskLevel.High, Avon, new DateOnly(2026, 5, 1));
    private static readonly Marker M2 = Marker("CD34EFG", "SR-2", RiskLevel.Medium, Avon);
    private static readonly Marker M3 = Marker("EF56GHI", "SR-3", RiskLevel.Low, Wiltshire);
    private static readonly Marker M4 = Marker("AB12CDE", "SR-4", RiskLevel.High, Wiltshire);

    private static Hit HitOf(string id, Marker marker, Force camera, DateTimeOffset observed, Priority priority, NotAlertedReason reason = NotAlertedReason.None) => new()
    {
        HitId = id, AlertId = "a-" + id, ReadId = "r-" + id, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm, MatchKind = MatchKind.Exact,
        ObservedAt = observed, CameraId = "CAM-1", CameraForce = camera, HostForce = marker.HostForce, Risk = marker.Risk, Priority = priority,
        SuspectRef = marker.SuspectRef, ReviewOverdue = false, InForce = camera == marker.HostForce, RecordedAt = observed, NotAlertedReason = reason,
    };

    private static DateTimeOffset Utc(int mo, int d, int h, int mi) => new(2026, mo, d, h, mi, 0, TimeSpan.Zero);

    // h1: 00:30 BST on 1 June (in the period, UK hour 0) although 31 May in UTC.
    // h2: 23:59 BST on 30 June (in the period, hour 23), suppressed.
    // h3: 00:00 BST on 1 July: outside the period although 30 June in UTC.
    // h4: in force (Avon camera, Avon marker), stale, 12:00 BST.
    // h5: ocr-equivalent, raised by a flagged location, possible clone and confirmed, 13:00 BST.
    private static readonly Hit[] Hits =
    [
        HitOf("h1", M1, Wiltshire, Utc(5, 31, 23, 30), Priority.Urgent),
        HitOf("h2", M1, Dorset, Utc(6, 30, 22, 59), Priority.Urgent, NotAlertedReason.Suppressed),
        HitOf("h3", M2, Wiltshire, Utc(6, 30, 23, 0), Priority.Routine),
        HitOf("h4", M2, Avon, Utc(6, 15, 11, 0), Priority.Routine, NotAlertedReason.Stale),
        HitOf("h5", M4, Avon, Utc(6, 10, 12, 0), Priority.High) with
        {
            MatchKind = MatchKind.OcrEquivalent, LocationRef = "LOC-1", PossibleClone = true, ConfirmedAt = Utc(6, 10, 12, 5), ConfirmingReadId = "r-x",
        },
    ];

    // First acknowledgements: h1 after 3 min (a second one at 10 does not count), h4 after 5, h5 after 8; h3 is out of the period.
    private static readonly OutcomeRecord[] Outcomes =
    [
        new("h1", "acknowledged", Utc(5, 31, 23, 33)), new("h1", "acknowledged", Utc(5, 31, 23, 40)),
        new("h4", "acknowledged", Utc(6, 15, 11, 5)),
        new("h5", "acknowledged", Utc(6, 10, 12, 8)), new("h5", "false-hit", Utc(6, 10, 12, 9), "misread"),
        new("h3", "acknowledged", Utc(6, 30, 23, 1)),
    ];

    private static EvaluationReport Report(ReportScope? scope = null, IEnumerable<OutcomeRecord>? outcomes = null)
        => EvaluationReport.Build(From, To, scope ?? ReportScope.All, Hits, outcomes ?? Outcomes, [M1, M2, M3, M4], Today);

    private static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(actual!.ToJsonString(), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString()));

    [Test]
    public void Hits_are_counted_on_uk_dates_by_kind_risk_priority_force_and_uk_hour()
    {
        var json = Report().Json;
        // In the period: h1, h2, h4, h5. Alerted: h1, h5 (h2 suppressed, h4 stale). In force: h4.
        AssertJson(json["hits"], """
            {"total":4,"outOfForce":3,"inForce":1,"alerted":2,"suppressed":1,"stale":1,"locationRaised":1,"possibleClones":1,"confirmedMisreads":1,
             "byMatchKind":{"exact":3,"ocr-equivalent":1},
             "byRisk":{"HIGH":3,"MEDIUM":1},
             "byPriority":{"urgent":2,"high":1,"routine":1},
             "byCameraForce":{"avon-and-somerset":2,"dorset":1,"wiltshire":1},
             "byHostForce":{"avon-and-somerset":3,"wiltshire":1},
             "byHourUk":[1,0,0,0,0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,1]}
            """);
        Assert.That(Report().Hits.Select(h => h.HitId), Is.EqualTo(new[] { "h1", "h2", "h4", "h5" }));
    }

    [Test]
    public void Markers_and_vehicles_are_counted_from_the_active_lists()
    {
        var json = Report().Json;
        // Four markers on three plates (AB12CDE twice); M1's review (1 May) is before today (1 July).
        AssertJson(json["markers"], """{"active":4,"byRisk":{"HIGH":2,"MEDIUM":1,"LOW":1},"reviewOverdue":1}""");
        Assert.Multiple(() =>
        {
            Assert.That(json["vehiclesFlagged"]!.GetValue<int>(), Is.EqualTo(3));
            // Hits in the period are on AB12CDE (h1, h2, h5) and CD34EFG (h4).
            Assert.That(json["vehiclesWithHits"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(json["from"]!.GetValue<string>(), Is.EqualTo("2026-06-01"));
            Assert.That(json["to"]!.GetValue<string>(), Is.EqualTo("2026-06-30"));
            AssertJson(json["scope"], "{}");
        });
    }

    [Test]
    public void Outcomes_count_hits_and_time_to_acknowledge_uses_the_first_acknowledgement()
    {
        var json = Report().Json;
        AssertJson(json["outcomes"], """{"acknowledged":3,"disruption":0,"safeguarding":0,"false-hit":1}""");
        // 3, 5 and 8 minutes: median 5; nearest rank p50 = 2nd = 5, p90 = 3rd = 8.
        Assert.That(json["medianMinutesToAcknowledge"]!.GetValue<double>(), Is.EqualTo(5));
        AssertJson(json["timeToAcknowledge"], """{"count":3,"p50Minutes":5,"p90Minutes":8}""");
        AssertJson(json["reasons"], """{"false-hit":{"misread":1},"no-trace":{}}""");
        AssertJson(json["reviewCompliance"], """{"asOf":"2026-06-30","active":4,"overdue":1}""");
    }

    [Test]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        // h1 after 3 minutes and h5 after 8: (3 + 8) / 2 = 5.5.
        var json = Report(outcomes: [Outcomes[0], Outcomes[3]]).Json;
        Assert.That(json["medianMinutesToAcknowledge"]!.GetValue<double>(), Is.EqualTo(5.5));
    }

    [Test]
    public void With_no_acknowledgement_the_times_are_null_not_zero()
    {
        var json = Report(outcomes: []).Json;
        Assert.Multiple(() =>
        {
            Assert.That(json["medianMinutesToAcknowledge"], Is.Null);
            AssertJson(json["timeToAcknowledge"], """{"count":0,"p50Minutes":null,"p90Minutes":null}""");
            AssertJson(json["outcomes"], """{"acknowledged":0,"disruption":0,"safeguarding":0,"false-hit":0}""");
        });
    }

    [Test]
    public void A_report_for_one_host_force_counts_only_its_markers_and_their_hits()
    {
        var json = Report(new ReportScope(Avon, null)).Json;
        Assert.Multiple(() =>
        {
            AssertJson(json["scope"], """{"force":"avon-and-somerset"}""");
            // Avon's markers M1 and M2; their hits in the period h1, h2, h4.
            AssertJson(json["markers"], """{"active":2,"byRisk":{"HIGH":1,"MEDIUM":1,"LOW":0},"reviewOverdue":1}""");
            Assert.That(json["hits"]!["total"]!.GetValue<int>(), Is.EqualTo(3));
            AssertJson(json["outcomes"], """{"acknowledged":2,"disruption":0,"safeguarding":0,"false-hit":0}""");
        });
    }

    [Test]
    public void A_report_for_a_region_covers_its_forces_only()
    {
        var met = ForceRegistry.Get("metropolitan");
        Assert.Multiple(() =>
        {
            Assert.That(new ReportScope(null, "South West").Includes(Avon), Is.True);
            Assert.That(new ReportScope(null, "South West").Includes(met), Is.False);
            Assert.That(new ReportScope(Avon, null).Includes(Wiltshire), Is.False);
            Assert.That(ReportScope.All.Includes(met), Is.True);
            AssertJson(new ReportScope(null, "London").ToJson(), """{"region":"London"}""");
            Assert.That(Report(new ReportScope(null, "London")).Json["hits"]!["total"]!.GetValue<int>(), Is.EqualTo(0));
            Assert.That(Report(new ReportScope(null, "South West")).Json["hits"]!["total"]!.GetValue<int>(), Is.EqualTo(4));
        });
    }

    [Test]
    public void Review_compliance_uses_the_lists_active_at_the_periods_end_when_given()
    {
        // At the end of June the list held M1 and a marker since removed that was due on 29 June and expires 30 June
        // (still covering that day); one that expired on 29 June no longer counts.
        var removed = Marker("ZZ99ZZZ", "SR-9", reviewDue: new DateOnly(2026, 6, 29), expires: new DateOnly(2026, 6, 30));
        var expired = Marker("YY99YYY", "SR-8", reviewDue: new DateOnly(2026, 6, 1), expires: new DateOnly(2026, 6, 29));
        var json = EvaluationReport.Build(From, To, ReportScope.All, Hits, Outcomes, [M1, M2, M3, M4], Today, markersAtEnd: [M1, removed, expired]).Json;
        AssertJson(json["reviewCompliance"], """{"asOf":"2026-06-30","active":2,"overdue":2}""");
    }

    /// <summary>Found by an attack: text in the CSV came out JSON-escaped (O'Neil as O\u0027Neil), unreadable in a spreadsheet.</summary>
    [Test]
    public void Text_in_the_csv_rows_is_written_as_it_is_not_json_escaped()
    {
        const string Suspect = "O'Neil & \"Co\" <1>";
        var marker = Marker("GH78JKL", Suspect, RiskLevel.High, Avon);
        var rows = EvaluationReport.Build(From, To, ReportScope.All, [HitOf("q1", marker, Dorset, Utc(6, 2, 10, 0), Priority.High)], [], [marker], Today).Rows().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.Value), Does.Contain(Suspect));
            Assert.That(rows.Where(r => r.Value.Contains('\\', StringComparison.Ordinal)), Is.Empty);
            Assert.That(rows, Does.Contain(("hits", "byCameraForce.dorset", "1")), "numbers are unchanged");
        });
    }

    [Test]
    public void The_csv_rows_carry_each_figure_under_its_section()
    {
        var rows = Report().Rows().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rows, Does.Contain(("from", "", "2026-06-01")));
            Assert.That(rows, Does.Contain(("hits", "byCameraForce.dorset", "1")));
            Assert.That(rows, Does.Contain(("hits", "byHourUk.23", "1")));
            Assert.That(rows, Does.Contain(("medianMinutesToAcknowledge", "", "5")));
            Assert.That(rows, Does.Contain(("reviewCompliance", "asOf", "2026-06-30")));
        });
    }
}
