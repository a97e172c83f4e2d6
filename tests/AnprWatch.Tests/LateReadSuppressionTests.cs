using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>
/// A read that arrives late (a camera's backlog) must not alert twice (issue 16): suppression reaches the repeat window
/// (15 min) either side of an alerted hit's observed time, whether that alert was decided earlier in the same batch or
/// is already in the store, through <c>anprwatch replay</c>. Expected outcomes are literal.
/// </summary>
public class LateReadSuppressionTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    private static string Read(string readId, string vrm, string observedAt, string force = "wiltshire")
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"WIL-CAM-7","forceCode":"{{force}}","observedAt":"{{observedAt}}","lat":51.349,"lon":-1.994}""";

    private static async Task<List<string>> HitsAsync(CliRunner cli)
    {
        var list = await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-03", "--format", "json", "--justification", "late read test");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        return JsonNode.Parse(list.Out)!.AsArray()
            .Select(h => $"{h!["readId"]} {(h["alerted"]!.GetValue<bool>() ? "alerted" : h["notAlertedReason"]!.GetValue<string>())}")
            .Order(StringComparer.Ordinal).ToList();
    }

    // The alert at 23:00:00 BST arrives first; the backlog after it, in this order.
    private static readonly string[] Alert = [Read("r-0", "LT26LAT", "2026-06-02T23:00:00+01:00")];

    private static readonly string[] Backlog =
    [
        Read("r-1", "LT26LAT", "2026-06-02T22:50:00+01:00"),   // 10 min before the alert: suppressed
        Read("r-2", "LT26LAT", "2026-06-02T22:45:00+01:00"),   // exactly 15 min before: suppressed
        Read("r-3", "LT26LAT", "2026-06-02T21:44:59Z"),        // 15 min 1 s before (22:44:59 BST): alerted
        Read("r-4", "LT26LAT", "2026-06-02T22:30:00+01:00"),   // 14 min 59 s before r-3, a new alert itself: suppressed by r-3
        Read("r-5", "LT26LAT", "2026-06-02T23:15:00+01:00"),   // exactly 15 min after r-0: suppressed
        Read("r-6", "LT26LAT", "2026-06-02T22:50:00+01:00", "dorset"), // another camera force: alerted
    ];

    private static readonly string[] Expected =
        ["r-0 alerted", "r-1 suppressed", "r-2 suppressed", "r-3 alerted", "r-4 suppressed", "r-5 suppressed", "r-6 alerted"];

    [Test]
    public async Task Late_reads_in_the_same_batch_as_the_alert_are_suppressed_within_the_window_either_side()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nLT26LAT,SR-LATE,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads, [.. Alert, .. Backlog]);
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        Assert.That(await HitsAsync(cli), Is.EqualTo(Expected));
        Assert.That(await File.ReadAllLinesAsync(cli.PathOf("reads.alerts.jsonl")), Has.Length.EqualTo(2 * 3), "three alerts, two routed copies each");
    }

    [Test]
    public async Task Late_reads_replayed_after_the_alert_was_stored_are_suppressed_by_the_store()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nLT26LAT,SR-LATE,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var first = cli.PathOf("first.jsonl");
        var late = cli.PathOf("late.jsonl");
        await File.WriteAllLinesAsync(first, Alert);
        await File.WriteAllLinesAsync(late, Backlog);
        Assert.That((await cli.RunAsync("replay", first)).ExitCode, Is.Zero);
        var replay = await cli.RunAsync("replay", late);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);
        Assert.That(await HitsAsync(cli), Is.EqualTo(Expected));
        Assert.That(await File.ReadAllLinesAsync(cli.PathOf("late.alerts.jsonl")), Has.Length.EqualTo(2 * 2), "r-3 and r-6 only: r-0 is not alerted again");
    }

    [Test]
    public async Task A_late_exact_read_observed_just_before_an_ocr_equivalent_alert_confirms_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", $"{Header}\nJK99TPD,SR-AVO-1,HIGH,avon-and-somerset,2027-01-01,,,,,\n");
        var first = cli.PathOf("first.jsonl");
        var late = cli.PathOf("late.jsonl");
        await File.WriteAllLinesAsync(first, [Read("m-1", "JK99TP0", "2026-06-02T23:00:00+01:00")]);
        await File.WriteAllLinesAsync(late, [Read("m-2", "JK99TPD", "2026-06-02T22:59:59+01:00")]);
        Assert.That((await cli.RunAsync("replay", first)).ExitCode, Is.Zero);
        var replay = await cli.RunAsync("replay", late);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-02", "--to", "2026-06-02", "--format", "json", "--justification", "late read test")).Out)!.AsArray();
        var misread = hits.Single(h => h!["readId"]!.GetValue<string>() == "m-1")!;
        var exact = hits.Single(h => h!["readId"]!.GetValue<string>() == "m-2")!;
        Assert.Multiple(() =>
        {
            Assert.That(exact["alerted"]!.GetValue<bool>(), Is.False);
            Assert.That(exact["notAlertedReason"]!.GetValue<string>(), Is.EqualTo("suppressed"));
            Assert.That(misread["confirmingReadId"]!.GetValue<string>(), Is.EqualTo("m-2"));
        });

        // What goes out for the late read is the confirmation of the alert already sent (same alertId), no new alert.
        var sent = (await File.ReadAllLinesAsync(cli.PathOf("late.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(sent, Has.Count.EqualTo(2));
        Assert.That(sent.Select(a => a["alertId"]!.GetValue<string>()), Is.All.EqualTo(misread["alertId"]!.GetValue<string>()));
        Assert.That(sent.Select(a => a["confirmingReadId"]!.GetValue<string>()), Is.All.EqualTo("m-2"));
    }
}
