using System.Text.Json;
using System.Text.Json.Nodes;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Reads;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Hits;

/// <summary>
/// DESIGN §4.3 (alert) and §4.4 (hit) JSON, with the round-two fields (docs/CONTRACTS-ROUND2.md): camelCase names,
/// forces as {code,name,region}, labels "exact|ocr-equivalent", "HIGH", "urgent|high|routine", "suppressed|stale|null",
/// and every field present even when null.
/// </summary>
public class HitJsonTests
{
    private static readonly DateTimeOffset Seen = new(2026, 6, 1, 21, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recorded = new(2026, 6, 1, 21, 30, 2, TimeSpan.Zero);

    /// <summary>A misread of the Avon and Somerset marker AB12CDE on a Wiltshire camera at 22:30 BST.</summary>
    private static Hit OcrHit() => new()
    {
        HitId = "h-000111222333444555666777", AlertId = "a-000111222333444555666777", ReadId = "r-42", MarkerId = "m-0011223344556677",
        Vrm = "AB12CDF", MarkerVrm = "AB12CDE", MatchKind = MatchKind.OcrEquivalent, ObservedAt = Seen, CameraId = "CAM-7",
        Site = "A350 Chippenham", Lat = 51.3, Lon = -1.9, Direction = "N", Lane = "1", Confidence = 0.93,
        CameraForce = Wiltshire, HostForce = Avon, Risk = RiskLevel.High, Priority = Priority.Urgent, SuspectRef = "SR-1",
        Operation = "OP-HAWK", Action = "Stop and safeguard", Contact = "DS Jones", ReviewOverdue = true,
        PlateImageUrl = "https://cam/p.jpg", OverviewImageUrl = null, InForce = false, RecordedAt = Recorded,
    };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ContractJson.Options);

    [Test]
    public void An_alert_carries_every_design_field_with_the_contract_names_and_labels()
    {
        var json = Json(AlertMessage.From(OcrHit(), Wiltshire));
        Assert.That(json, Is.EqualTo(
            """{"alertId":"a-000111222333444555666777","hitId":"h-000111222333444555666777","readId":"r-42","vrm":"AB12CDF","markerVrm":"AB12CDE","matchKind":"ocr-equivalent","verifyPlate":true,"observedAt":"2026-06-01T21:30:00+00:00","cameraId":"CAM-7","site":"A350 Chippenham","lat":51.3,"lon":-1.9,"direction":"N","cameraForce":{"code":"wiltshire","name":"Wiltshire Police","region":"South West"},"hostForce":{"code":"avon-and-somerset","name":"Avon and Somerset Constabulary","region":"South West"},"risk":"HIGH","priority":"urgent","suspectRef":"SR-1","operation":"OP-HAWK","action":"Stop and safeguard","contact":"DS Jones","reviewOverdue":true,"plateImageUrl":"https://cam/p.jpg","overviewImageUrl":null,"routedTo":"wiltshire","possibleClone":false,"cloneOfHitId":null,"confirmedAt":null,"confirmingReadId":null,"locationRef":null}"""));
    }

    [Test]
    public void An_exact_alert_does_not_ask_to_verify_the_plate_and_says_its_priority()
    {
        var node = JsonNode.Parse(Json(AlertMessage.From(OcrHit() with { MatchKind = MatchKind.Exact, Vrm = "AB12CDE", Priority = Priority.High, Risk = RiskLevel.Medium }, null)))!;
        Assert.Multiple(() =>
        {
            Assert.That(node["matchKind"]!.GetValue<string>(), Is.EqualTo("exact"));
            Assert.That(node["verifyPlate"]!.GetValue<bool>(), Is.False);
            Assert.That(node["priority"]!.GetValue<string>(), Is.EqualTo("high"));
            Assert.That(node["risk"]!.GetValue<string>(), Is.EqualTo("MEDIUM"));
            Assert.That(node.AsObject().ContainsKey("routedTo"), Is.True);
            Assert.That(node["routedTo"], Is.Null);
        });
    }

    [Test]
    public void A_confirmed_clone_flagged_alert_in_a_flagged_location_carries_the_round_two_fields()
    {
        var hit = OcrHit() with
        {
            PossibleClone = true, CloneOfHitId = "h-other", ConfirmedAt = new DateTimeOffset(2026, 6, 1, 21, 40, 0, TimeSpan.Zero),
            ConfirmingReadId = "r-43", LocationRef = "LOC-9", Priority = Priority.Routine,
        };
        var node = JsonNode.Parse(Json(AlertMessage.From(hit, Avon)))!;
        Assert.Multiple(() =>
        {
            Assert.That(node["possibleClone"]!.GetValue<bool>(), Is.True);
            Assert.That(node["cloneOfHitId"]!.GetValue<string>(), Is.EqualTo("h-other"));
            Assert.That(node["confirmedAt"]!.GetValue<string>(), Is.EqualTo("2026-06-01T21:40:00+00:00"));
            Assert.That(node["confirmingReadId"]!.GetValue<string>(), Is.EqualTo("r-43"));
            Assert.That(node["locationRef"]!.GetValue<string>(), Is.EqualTo("LOC-9"));
            Assert.That(node["routedTo"]!.GetValue<string>(), Is.EqualTo("avon-and-somerset"));
            Assert.That(node["priority"]!.GetValue<string>(), Is.EqualTo("routine"));
        });
    }

    [Test]
    public void An_out_of_force_alert_goes_to_the_camera_force_and_the_host_force_with_one_alert_id()
    {
        var copies = AlertMessage.Copies(OcrHit()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(copies.Select(c => c.Key.Code), Is.EqualTo(new[] { "wiltshire", "avon-and-somerset" }));
            Assert.That(copies.Select(c => c.Message.RoutedTo), Is.EqualTo(new[] { "wiltshire", "avon-and-somerset" }));
            Assert.That(copies.Select(c => c.Message.AlertId).Distinct(), Is.EqualTo(new[] { "a-000111222333444555666777" }));
        });
    }

    [Test]
    public void An_in_force_alert_is_sent_once()
    {
        var copies = AlertMessage.Copies(OcrHit() with { CameraForce = Avon, InForce = true }).ToList();
        Assert.That(copies.Select(c => (c.Key.Code, c.Message.RoutedTo)), Is.EqualTo(new[] { ("avon-and-somerset", (string?)"avon-and-somerset") }));
    }

    [Test]
    public void A_listed_hit_carries_the_alert_fields_plus_the_stored_ones()
    {
        var hit = OcrHit() with { NotAlertedReason = NotAlertedReason.Suppressed, Outcome = "acknowledged" };
        var json = Json(HitView.From(hit));
        Assert.That(json, Is.EqualTo(
            """{"alertId":"a-000111222333444555666777","hitId":"h-000111222333444555666777","readId":"r-42","vrm":"AB12CDF","markerVrm":"AB12CDE","matchKind":"ocr-equivalent","verifyPlate":true,"observedAt":"2026-06-01T21:30:00+00:00","cameraId":"CAM-7","site":"A350 Chippenham","lat":51.3,"lon":-1.9,"direction":"N","cameraForce":{"code":"wiltshire","name":"Wiltshire Police","region":"South West"},"hostForce":{"code":"avon-and-somerset","name":"Avon and Somerset Constabulary","region":"South West"},"risk":"HIGH","priority":"urgent","suspectRef":"SR-1","operation":"OP-HAWK","action":"Stop and safeguard","contact":"DS Jones","reviewOverdue":true,"plateImageUrl":"https://cam/p.jpg","overviewImageUrl":null,"markerId":"m-0011223344556677","alerted":false,"notAlertedReason":"suppressed","inForce":false,"outcome":"acknowledged","recordedAt":"2026-06-01T21:30:02+00:00","lane":"1","confidence":0.93,"possibleClone":false,"cloneOfHitId":null,"confirmedAt":null,"confirmingReadId":null,"locationRef":null}"""));
    }

    [TestCase(NotAlertedReason.None, true, null)]
    [TestCase(NotAlertedReason.Suppressed, false, "suppressed")]
    [TestCase(NotAlertedReason.Stale, false, "stale")]
    public void A_listed_hit_says_whether_it_was_alerted_and_why_not(NotAlertedReason reason, bool alerted, string? label)
    {
        var node = JsonNode.Parse(Json(HitView.From(OcrHit() with { NotAlertedReason = reason, InForce = true })))!;
        Assert.Multiple(() =>
        {
            Assert.That(node["alerted"]!.GetValue<bool>(), Is.EqualTo(alerted));
            Assert.That(node["notAlertedReason"]?.GetValue<string>(), Is.EqualTo(label));
            Assert.That(node.AsObject().ContainsKey("notAlertedReason"), Is.True, "present even when null");
            Assert.That(node["inForce"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void Text_is_written_unescaped_for_humans_but_quotes_stay_escaped()
    {
        var json = Json(AlertMessage.From(OcrHit() with { Action = "Call <DS> O'Neil – \"urgent\"" }, null));
        Assert.That(json, Does.Contain("""
            "action":"Call <DS> O'Neil – \"urgent\""
            """));
    }

    [Test]
    public void Indented_output_is_the_same_contract_over_several_lines()
    {
        var indented = JsonSerializer.Serialize(HitView.From(OcrHit()), ContractJson.Indented);
        Assert.Multiple(() =>
        {
            Assert.That(indented, Does.Contain("\n  \"alertId\": \"a-000111222333444555666777\","));
            Assert.That(indented, Does.Contain("\"overviewImageUrl\": null"));
        });
    }

    [Test]
    public void A_hit_built_from_a_read_and_a_marker_takes_each_field_from_the_right_one()
    {
        var read = new PlateRead
        {
            ReadId = "r-1", Vrm = "AB12CDE", RawVrm = "ab12 cde", CameraId = "CAM-1", CameraForce = Wiltshire, ObservedAt = Seen,
            Lat = 51.3, Lon = -1.9, Site = "A350", Direction = "S", Lane = "2", Confidence = 0.8, PlateImageUrl = "p", OverviewImageUrl = "o",
        };
        var marker = new Marker("AB12CDE", "SR-1", RiskLevel.High, Avon, new DateOnly(2026, 5, 1), null, "OP", "ACTION", "CONTACT", "ACT");
        var assessment = new HitAssessment(false, Priority.Urgent, true, false) { LocationRef = "LOC-1" };
        var hit = Hit.Create(read, marker, MatchKind.Exact, assessment, Recorded);
        Assert.Multiple(() =>
        {
            Assert.That(hit.HitId, Does.Match("^h-[0-9a-f]{24}$"));
            Assert.That(hit.AlertId, Is.EqualTo("a-" + hit.HitId[2..]), "the alert id is the hit id with an a- prefix");
            Assert.That(hit.MarkerId, Does.Match("^m-[0-9a-f]{16}$"));
            Assert.That((hit.ReadId, hit.Vrm, hit.MarkerVrm, hit.CameraId, hit.Site, hit.Direction, hit.Lane), Is.EqualTo(("r-1", "AB12CDE", "AB12CDE", "CAM-1", "A350", "S", "2")));
            Assert.That((hit.Lat, hit.Lon, hit.Confidence), Is.EqualTo(((double?)51.3, (double?)-1.9, (double?)0.8)));
            Assert.That((hit.PlateImageUrl, hit.OverviewImageUrl), Is.EqualTo(("p", "o")));
            Assert.That((hit.CameraForce, hit.HostForce), Is.EqualTo((Wiltshire, Avon)));
            Assert.That((hit.Risk, hit.SuspectRef, hit.Operation, hit.Action, hit.Contact), Is.EqualTo((RiskLevel.High, "SR-1", "OP", "ACTION", "CONTACT")));
            Assert.That((hit.Priority, hit.ReviewOverdue, hit.InForce, hit.LocationRef), Is.EqualTo((Priority.Urgent, true, false, "LOC-1")));
            Assert.That((hit.ObservedAt, hit.RecordedAt), Is.EqualTo((Seen, Recorded)));
            Assert.That(hit.Alerted, Is.True, "undecided means alerted until the gate says otherwise");
            Assert.That(hit.VerifyPlate, Is.False);
        });
    }

    [Test]
    public void The_same_read_and_marker_always_give_the_same_ids_and_another_marker_another_id()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HitIds.ForHit("r-1", "m-1"), Is.EqualTo(HitIds.ForHit("r-1", "m-1")));
            Assert.That(HitIds.ForHit("r-1", "m-1"), Is.Not.EqualTo(HitIds.ForHit("r-1", "m-2")));
            Assert.That(HitIds.ForHit("r-1", "m-1"), Is.Not.EqualTo(HitIds.ForHit("r-2", "m-1")));
            Assert.That(HitIds.ForAlert("h-0123456789abcdef01234567"), Is.EqualTo("a-0123456789abcdef01234567"));
        });
    }
}
