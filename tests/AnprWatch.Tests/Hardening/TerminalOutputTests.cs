namespace AnprWatch.Tests.Hardening;

/// <summary>
/// A read's text reaches a night-shift operator's terminal through <c>hits list</c>. Escaped control characters are
/// refused at the door (dead-lettered naming the field), but DEL and the C1 controls (U+0080–U+009F; U+009B is the
/// 8-bit CSI some terminals obey) are valid raw UTF-8 inside JSON strings: the table must never pass them through.
/// </summary>
public class TerminalOutputTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    [Test]
    public async Task Raw_C1_and_DEL_characters_in_a_hits_site_never_reach_the_terminal_from_hits_list()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,MEDIUM,wiltshire,2027-01-01,,,,,\n");
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllTextAsync(reads,
            "{\"readId\":\"t-1\",\"vrm\":\"AB12CDE\",\"cameraId\":\"CAM-T\",\"forceCode\":\"dorset\",\"observedAt\":\"2026-06-02T23:00:00+01:00\",\"site\":\"A35\u009b2J\u007fX\"}\n");
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var table = await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-30", "--justification", "terminal output test");
        Assert.That(table.ExitCode, Is.Zero, table.Err);
        Assert.Multiple(() =>
        {
            Assert.That(table.Out, Does.Contain("A35\ufffd2J\ufffdX"), "each control character shown as U+FFFD, the rest of the site kept");
            Assert.That(table.Out.Where(c => c is not '\n' and not '\r' && (c < ' ' || c is >= '\u007f' and <= '\u009f')), Is.Empty);
        });

        // The JSON output keeps the stored text exactly (escaped by the format), so nothing is lost to the analyst.
        var json = await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-30", "--format", "json", "--justification", "terminal output test");
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(json.Out)!.AsArray().Single()!["site"]!.GetValue<string>(), Is.EqualTo("A35\u009b2J\u007fX"));
    }
}
