using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Clones;

/// <summary>A misread confirms itself (issue 16, DESIGN §8): JK99TP0 alerts as ocr-equivalent, JK99TPD a second later confirms it.</summary>
public class MisreadConfirmationTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    private static string Read(string readId, string vrm, string force, string observedAt)
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"WIL-CAM-7","forceCode":"{{force}}","observedAt":"{{observedAt}}","lat":51.349,"lon":-1.994}""";

    [Test]
    public async Task A_confirmation_in_a_later_batch_reaches_an_open_board_stream_as_its_own_event()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nJK99TPD,SR-AVO-1,HIGH,avon-and-somerset,2027-01-01,,RAILCAR,,,\n");
        var desk = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "desk")).Out.Trim();
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await serve.WaitReadyAsync(orOnlyMissingMarkers: false);

        using var http = serve.CreateClient(timeoutSeconds: 120);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", desk);
        using var response = await http.GetAsync(new Uri("/api/alerts/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var now = DateTimeOffset.UtcNow;
        string At(int seconds) => now.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        // The misread alone first (one batch), then, once its card is on the board, the exact read (a later batch).
        await DropAsync(cli, inbox, "a.jsonl", Read("s-1", "JK99TP0", "wiltshire", At(-60)));
        var first = await NextEventAsync(reader, "alert");
        Assert.That(first["confirmedAt"], Is.Null);
        await DropAsync(cli, inbox, "b.jsonl", Read("s-2", "JK99TPD", "wiltshire", At(-59)));
        var confirmation = await NextEventAsync(reader, "confirmation");
        Assert.Multiple(() =>
        {
            Assert.That(confirmation["hitId"]!.GetValue<string>(), Is.EqualTo(first["hitId"]!.GetValue<string>()));
            Assert.That(confirmation["alertId"]!.GetValue<string>(), Is.EqualTo(first["alertId"]!.GetValue<string>()));
            Assert.That(confirmation["confirmingReadId"]!.GetValue<string>(), Is.EqualTo("s-2"));
        });
    }

    [Test]
    public async Task An_exact_read_too_far_away_for_the_time_does_not_confirm_the_misread_and_alerts_itself()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nJK99TPD,SR-AVO-1,HIGH,avon-and-somerset,2027-01-01,,RAILCAR,,,\n");
        var reads = cli.PathOf("far.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            // Bristol (51.45, -2.58), then 30 s later near Minehead (51.20, -3.48): about 68 km, some 8,000 km/h.
            """{"readId":"f-1","vrm":"JK99TP0","cameraId":"W-1","forceCode":"wiltshire","observedAt":"2026-06-02T23:00:00+01:00","lat":51.45,"lon":-2.58}""",
            """{"readId":"f-2","vrm":"JK99TPD","cameraId":"W-2","forceCode":"wiltshire","observedAt":"2026-06-02T23:00:30+01:00","lat":51.20,"lon":-3.48}""",
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);
        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "confirmation test")).Out)!.AsArray();
        var misread = hits.Single(h => h!["readId"]!.GetValue<string>() == "f-1")!;
        var exact = hits.Single(h => h!["readId"]!.GetValue<string>() == "f-2")!;
        Assert.Multiple(() =>
        {
            Assert.That(misread["confirmedAt"], Is.Null, "an impossible journey is no confirmation");
            Assert.That(misread["verifyPlate"]!.GetValue<bool>(), Is.True);

            // The "verify plate" alert may have sent the desk to another car: the marked plate itself, 68 km away 30 s
            // later, is not a repeat of it and alerts on its own.
            Assert.That(exact["alerted"]!.GetValue<bool>(), Is.True, "the exact read of the marked plate must alert");
            Assert.That(exact["notAlertedReason"], Is.Null);
        });
    }

    private static async Task DropAsync(CliRunner cli, string inbox, string name, string line)
    {
        var staging = cli.PathOf($"staging-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(staging, line + "\n");
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-1));
        File.Move(staging, Path.Combine(inbox, name));
    }

    /// <summary>The data of the next server-sent event of that name, within 60 s.</summary>
    private static async Task<JsonNode> NextEventAsync(StreamReader reader, string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? current = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == name)
            {
                return JsonNode.Parse(line["data: ".Length..])!;
            }
        }

        throw new AssertionException($"the stream ended before a {name} event");
    }

    [Test]
    public async Task An_exact_read_after_an_ocr_equivalent_alert_confirms_it_with_the_same_alert_id()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nJK99TPD,SR-AVO-1,HIGH,avon-and-somerset,2027-01-01,,RAILCAR,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "JK99TP0", "wiltshire", "2026-06-02T23:00:00+01:00"),
            Read("r-2", "JK99TPD", "wiltshire", "2026-06-02T23:00:01+01:00"),
            Read("r-3", "JK99TPD", "wiltshire", "2026-06-02T23:00:30+01:00"),   // a second exact read: the first confirmation stands
        ]);
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        Assert.That(replay.Out, Does.Contain("confirmed    1 "));

        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "confirmation test")).Out)!.AsArray();
        Assert.That(hits.Select(h => $"{h!["readId"]} {h["matchKind"]} alerted={h["alerted"]} {h["notAlertedReason"]}"),
            Is.EqualTo(new[] { "r-1 ocr-equivalent alerted=true ", "r-2 exact alerted=false suppressed", "r-3 exact alerted=false suppressed" }));
        var misread = hits[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(misread["confirmingReadId"]!.GetValue<string>(), Is.EqualTo("r-2"));
            Assert.That(misread["confirmedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(DateTimeOffset.Parse("2026-06-02T23:00:01+01:00", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(misread["verifyPlate"]!.GetValue<bool>(), Is.True, "the stored alert is unchanged; the confirmation is beside it");
            Assert.That(hits[1]!["confirmedAt"], Is.Null);
            Assert.That(hits[1]!["confirmingReadId"], Is.Null);
        });

        // The alert file: the alert (two routed copies), then its confirmation (two copies) with the same alertId.
        var alerts = (await File.ReadAllLinesAsync(cli.PathOf("reads.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(alerts, Has.Count.EqualTo(4));
        Assert.That(alerts.Select(a => a["alertId"]!.GetValue<string>()).Distinct().Single(), Is.EqualTo(misread["alertId"]!.GetValue<string>()));
        Assert.That(alerts.Take(2).Select(a => a["confirmedAt"]), Is.All.Null);
        Assert.That(alerts.Skip(2).Select(a => a["confirmingReadId"]!.GetValue<string>()), Is.All.EqualTo("r-2"));
        Assert.That(alerts.Skip(2).Select(a => a["routedTo"]!.GetValue<string>()).Order(), Is.EqualTo(new[] { "avon-and-somerset", "wiltshire" }));

        // Replaying again sends nothing twice: the confirmation was delivered.
        var again = await cli.RunAsync("replay", reads);
        Assert.That(again.ExitCode, Is.Zero, again.Err);
        Assert.That(await File.ReadAllLinesAsync(cli.PathOf("reads.alerts.jsonl")), Is.Empty);

        var report = cli.PathOf("report.json");
        Assert.That((await cli.RunAsync("report", "evaluation", "--from", "2026-06-01", "--to", "2026-06-30", "--format", "json", "--out", report, "--justification", "confirmation test")).ExitCode, Is.Zero);
        Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(report))!["hits"]!["confirmedMisreads"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task An_exact_read_in_another_force_alerts_itself_and_confirms_nothing()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nJK99TPD,SR-AVO-1,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            Read("r-1", "JK99TP0", "wiltshire", "2026-06-02T23:00:00+01:00"),
            Read("r-2", "JK99TPD", "dorset", "2026-06-02T23:05:00+01:00"),
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);
        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "confirmation test")).Out)!.AsArray();
        Assert.That(hits.Select(h => h!["alerted"]!.GetValue<bool>()), Is.All.True);
        Assert.That(hits.Select(h => h!["confirmingReadId"]), Is.All.Null);
    }
}
