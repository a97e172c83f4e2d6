using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Locations;

/// <summary>
/// `anprwatch locations …` end to end on a real SQLite store (DESIGN §8): every error by line, dry run, replace with
/// a per-field diff, history, rollback, audit; then replay raising a hit read inside a flagged location.
/// </summary>
public class LocationsCliTests
{
    private const string Header = "location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires,notes";

    private static async Task<string> WriteAsync(CliRunner cli, string name, params string[] rows)
    {
        var path = cli.PathOf(name);
        await File.WriteAllLinesAsync(path, [Header, .. rows]);
        return path;
    }

    private static async Task<JsonArray> ListAsync(CliRunner cli)
    {
        var list = await cli.RunAsync("locations", "list", "--format", "json");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        return JsonNode.Parse(list.Out)!.AsArray();
    }

    [Test]
    public async Task Padding_a_location_list_with_low_rows_does_not_hide_the_loss_of_the_raising_ones()
    {
        using var cli = new CliRunner();
        string[] raising = ["LOC-1,Site 1,51.31,-1.99,250,HIGH,wiltshire,2099-01-01,,", "LOC-2,Site 2,51.32,-1.99,250,MEDIUM,wiltshire,2099-01-01,,"];
        var low = Enumerable.Range(3, 8).Select(i => $"LOC-{i},Site {i},51.{30 + i},-1.99,250,LOW,wiltshire,2099-01-01,,").ToArray();
        Assert.That((await cli.RunAsync("locations", "import", await WriteAsync(cli, "v1.csv", [.. raising, .. low]), "--force", "wiltshire")).ExitCode, Is.Zero);

        var refused = await cli.RunAsync("locations", "import", await WriteAsync(cli, "v2.csv", low), "--force", "wiltshire");
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.Out);
        Assert.That(refused.Err, Does.Contain("would take 2 of the 2 raising locations of wiltshire out of use"));
    }

    [Test]
    public async Task A_replacement_that_drops_most_locations_needs_confirming_like_a_marker_list()
    {
        using var cli = new CliRunner();
        var ten = await WriteAsync(cli, "ten.csv", [.. Enumerable.Range(1, 10).Select(i => $"LOC-{i},Site {i},51.{30 + i},-1.99,250,HIGH,wiltshire,2099-01-01,,")]);
        Assert.That((await cli.RunAsync("locations", "import", ten, "--force", "wiltshire")).ExitCode, Is.Zero);

        // A truncated export: 1 of 10 rows, so 9 removed (90 % > 20 %).
        var one = await WriteAsync(cli, "one.csv", "LOC-1,Site 1,51.31,-1.99,250,HIGH,wiltshire,2099-01-01,,");
        var refused = await cli.RunAsync("locations", "import", one, "--force", "wiltshire");
        Assert.Multiple(async () =>
        {
            Assert.That(refused.ExitCode, Is.EqualTo(2));
            Assert.That(refused.Err, Does.Contain("would take 9 of the 10 raising locations of wiltshire out of use").And.Contain("Nothing was changed"));
            Assert.That(await ListAsync(cli), Has.Count.EqualTo(10), "nothing changed");
        });

        var confirmed = await cli.RunAsync("locations", "import", one, "--force", "wiltshire", "--confirm-removals");
        Assert.That(confirmed.ExitCode, Is.Zero, confirmed.Err);
        Assert.That(await ListAsync(cli), Has.Count.EqualTo(1));

        // Rolling back to the ten is adding, not removing: no confirmation needed.
        Assert.That((await cli.RunAsync("locations", "rollback", "--force", "wiltshire", "--to-version", "1")).ExitCode, Is.Zero);
        Assert.That(await ListAsync(cli), Has.Count.EqualTo(10));
    }

    [Test]
    public async Task A_file_with_errors_reports_every_bad_line_and_changes_nothing()
    {
        using var cli = new CliRunner();
        var file = await WriteAsync(cli, "bad.csv",
            "LOC-1,Car park,51.35,-1.99,250,HIGH,wiltshire,2099-01-01,,",
            "LOC-2,Car park,51.35,-1.99,9000,HIGH,wiltshire,2099-01-01,,",
            "LOC-3,Car park,51.35,-1.99,250,HIGH,kent,2099-01-01,,",
            "LOC-1,Car park again,51.36,-1.98,250,MEDIUM,wiltshire,2099-01-01,,");
        var result = await cli.RunAsync("locations", "import", file, "--force", "wiltshire", "--user", "j.smith");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "error: line 3: radius_m '9000' is not a whole number of metres from 1 to 5000",
            "error: line 4: force 'kent' is not the force being loaded ('wiltshire')",
            "error: line 5: duplicate of line 2 (same location_ref)",
            "bad.csv: 3 errors; nothing was changed.",
        }));
        Assert.That(await ListAsync(cli), Is.Empty);
        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM location_lists"), Is.EqualTo(new[] { "0" }));
    }

    /// <summary>
    /// A read at 0,0 has no position (cameras without a GPS fix send it), so a location centred there could never raise
    /// a hit: loaded silently, the bureau would believe a place was flagged that is not (a blank cell saved as 0 by a
    /// spreadsheet). It is refused with its line, like any other bad row.
    /// </summary>
    [Test]
    public async Task A_location_at_0_0_is_refused_because_no_read_there_has_a_position()
    {
        using var cli = new CliRunner();
        var file = await WriteAsync(cli, "zero.csv",
            "LOC-1,Car park,51.35,-1.99,250,HIGH,wiltshire,2099-01-01,,",
            "LOC-2,Lay-by,0,0,250,HIGH,wiltshire,2099-01-01,,",
            "LOC-3,Hotel,0.0,-1.99,250,HIGH,wiltshire,2099-01-01,,");
        var result = await cli.RunAsync("locations", "import", file, "--force", "wiltshire", "--user", "j.smith");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "error: line 3: lat,lon 0,0 is no position (what a camera without a GPS fix sends): no read there is positioned, so the location could never raise a hit",
            "zero.csv: 1 error; nothing was changed.",
        }));
        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM location_lists"), Is.EqualTo(new[] { "0" }));
    }

    [Test]
    public async Task Dry_run_replace_history_and_rollback_keep_every_version_and_show_old_and_new()
    {
        using var cli = new CliRunner();
        var v1 = await WriteAsync(cli, "v1.csv",
            "LOC-1,Car park,51.35,-1.99,250,HIGH,wiltshire,2099-01-01,,",
            "LOC-2,\"Hotel, rear\",51.40,-1.80,500,MEDIUM,wiltshire,2099-01-01,,night-time meetings");
        var first = await cli.RunAsync("locations", "import", v1, "--force", "wiltshire", "--user", "a.jones");
        Assert.That(first.ExitCode, Is.Zero, first.Err);
        Assert.That(first.Out, Does.Contain("added 2, removed 0, changed 0, unchanged 0").And.Contain("wiltshire: location list version 1 is active with 2 locations"));

        var v2 = await WriteAsync(cli, "v2.csv",
            "LOC-1,Car park,51.35,-1.99,400,MEDIUM,wiltshire,2099-01-01,,",
            "LOC-3,Takeaway,51.30,-2.10,100,HIGH,wiltshire,2099-01-01,2099-06-30,");
        var dry = await cli.RunAsync("locations", "import", v2, "--force", "wiltshire", "--dry-run", "--user", "b.smith");
        Assert.That(dry.ExitCode, Is.Zero, dry.Err);
        Assert.That(dry.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "added 1, removed 1, changed 1, unchanged 0",
            "  + LOC-3 Takeaway (100 m, HIGH)",
            "  - LOC-2 Hotel, rear (500 m, MEDIUM)",
            "  ~ LOC-1: radius_m 250 → 400; risk_level HIGH → MEDIUM",
            "dry run: wiltshire would have 2 locations; nothing was changed.",
        }));
        Assert.That((await ListAsync(cli)).Select(l => l!["locationRef"]!.GetValue<string>()), Is.EqualTo(new[] { "LOC-1", "LOC-2" }), "a dry run changes nothing");

        // One of two removed is over Markers:MaxRemovalShare: the bureau confirms, as for marker lists.
        Assert.That((await cli.RunAsync("locations", "import", v2, "--force", "wiltshire", "--user", "b.smith", "--confirm-removals")).ExitCode, Is.Zero);
        var active = await ListAsync(cli);
        Assert.That(active.Select(l => $"{l!["locationRef"]} {l["radiusM"]} {l["riskLevel"]} {l["expires"]}"), Is.EqualTo(new[] { "LOC-1 400 MEDIUM ", "LOC-3 100 HIGH 2099-06-30" }));

        var rollback = await cli.RunAsync("locations", "rollback", "--force", "wiltshire", "--to-version", "1", "--user", "c.brown", "--confirm-removals");
        Assert.That(rollback.ExitCode, Is.Zero, rollback.Err);
        Assert.That(rollback.Out, Does.Contain("~ LOC-1: radius_m 400 → 250; risk_level MEDIUM → HIGH").And.Contain("version 3 restores version 1 (2 locations)"));
        Assert.That((await ListAsync(cli)).Select(l => $"{l!["locationRef"]} {l["name"]} {l["radiusM"]} {l["notes"]}"), Is.EqualTo(new[] { "LOC-1 Car park 250 ", "LOC-2 Hotel, rear 500 night-time meetings" }));

        var history = JsonNode.Parse((await cli.RunAsync("locations", "history", "--force", "wiltshire", "--format", "json", "--user", "d.white")).Out)!.AsArray();
        Assert.That(await cli.ColumnAsync("SELECT actor || ' ' || role || ' ' || action || ' ' || subject FROM audit_log WHERE subject LIKE 'locations history%'"),
            Is.EqualTo(new[] { "d.white cli consult locations history wiltshire" }), "reading the history is an audited access");
        Assert.That(history.Select(v => $"v{v!["version"]} {v["loadedBy"]} {v["source"]} +{v["added"]} -{v["removed"]} ~{v["changed"]} active={v["isActive"]}"), Is.EqualTo(new[]
        {
            "v1 a.jones import +2 -0 ~0 active=false",
            "v2 b.smith import +1 -1 ~1 active=false",
            "v3 c.brown rollback v1 +1 -1 ~1 active=true",
        }));
        Assert.That(history[2]!["sha256"]!.GetValue<string>(), Is.EqualTo(history[0]!["sha256"]!.GetValue<string>()), "a rollback restores exactly the first file");

        var rolledBackMissing = await cli.RunAsync("locations", "rollback", "--force", "wiltshire", "--to-version", "9");
        Assert.That((rolledBackMissing.ExitCode, rolledBackMissing.Err), Is.EqualTo((2, "error: wiltshire has no location list version 9\n")));
        var toActive = await cli.RunAsync("locations", "rollback", "--force", "wiltshire", "--to-version", "3");
        Assert.That((toActive.ExitCode, toActive.Err), Is.EqualTo((2, "error: version 3 is already wiltshire's active location list: nothing to roll back\n")));
        var again = await cli.RunAsync("locations", "rollback", "--force", "wiltshire", "--to-version", "1", "--confirm-removals");
        Assert.That((again.ExitCode, again.Err), Is.EqualTo((2, "error: version 1 holds exactly wiltshire's active location list (version 3): nothing to roll back\n")),
            "version 3 restored version 1: repeating the rollback would only add an identical version");

        // Every load and the dry run are in the audit log, with who did them.
        var audit = await cli.ColumnAsync("SELECT actor || ' ' || action || ' ' || subject FROM audit_log WHERE subject LIKE 'location list%' ORDER BY audit_id");
        Assert.That(audit, Is.EqualTo(new[]
        {
            "a.jones collect location list wiltshire v1",
            "b.smith consult location list wiltshire dry run",
            "b.smith collect location list wiltshire v2",
            "c.brown collect location list wiltshire v3",
        }));
    }

    [Test]
    public async Task List_marks_expired_and_overdue_locations_in_every_format()
    {
        using var cli = new CliRunner();
        var today = TestClock.UkToday;
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var file = await WriteAsync(cli, "l.csv",
            $"LOC-A,Active,51.35,-1.99,250,HIGH,dorset,{Iso(today.AddMonths(3))},,",
            $"LOC-E,Expired,51.35,-1.99,250,HIGH,dorset,{Iso(today.AddMonths(3))},{Iso(today.AddDays(-1))},",
            $"LOC-O,Overdue,51.35,-1.99,250,HIGH,dorset,{Iso(today.AddDays(-1))},,");
        var import = await cli.RunAsync("locations", "import", file, "--force", "dorset");
        Assert.That(import.ExitCode, Is.Zero, import.Err);
        Assert.That(import.Err, Does.Contain("warning: line 3: expires").And.Contain("warning: line 4: review_due"));
        Assert.That((await ListAsync(cli)).Select(l => $"{l!["locationRef"]} {l["status"]}"), Is.EqualTo(new[] { "LOC-A active", "LOC-E expired", "LOC-O review-overdue" }));
        var csv = await cli.RunAsync("locations", "list", "--force", "dorset", "--format", "csv");
        Assert.That(csv.Out.Split('\n')[0].TrimEnd('\r'), Is.EqualTo("location_ref,name,lat,lon,radius_m,risk_level,force,review_due,expires,notes,status"));
        Assert.That((await cli.RunAsync("locations", "list", "--force", "kent", "--format", "json")).Out.Trim(), Is.EqualTo("[]"));
    }

    /// <summary>
    /// Found by an attack: a marked vehicle seen out of town, then ten minutes later at a flagged location (a children's
    /// home), was suppressed as a repeat of the first, lower-priority alert, and so was a late read from the location
    /// arriving after a later routine alert. A lower-priority alert never suppresses a higher-priority hit.
    /// </summary>
    [Test]
    public async Task A_hit_raised_by_a_flagged_location_is_no_repeat_of_a_lower_priority_alert_either_side()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nCD34EFG,SR-2,MEDIUM,avon-and-somerset,2099-01-01\n");
        var locations = await WriteAsync(cli, "w.csv", "LOC-W,Children's home,51.0,-2.0,1000,HIGH,wiltshire,2099-01-01,,");
        Assert.That((await cli.RunAsync("locations", "import", locations, "--force", "wiltshire")).ExitCode, Is.Zero);

        // Expected, by hand (MEDIUM by day is routine; inside LOC-W it is high): away 12:00 alerts; at the home 12:10
        // (high) alerts though within 15 minutes of it; away 12:20 (routine) is a repeat of the 12:10 alert. Then, late:
        // away 14:00 alerts; a read at the home observed 13:55 arriving after it alerts too; away 14:05 is a repeat.
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            """{"readId":"away-1","vrm":"CD34EFG","cameraId":"W2","forceCode":"wiltshire","observedAt":"2026-06-01T12:00:00+01:00","lat":51.2,"lon":-2.0}""",
            """{"readId":"home-1","vrm":"CD34EFG","cameraId":"W1","forceCode":"wiltshire","observedAt":"2026-06-01T12:10:00+01:00","lat":51.0,"lon":-2.0}""",
            """{"readId":"away-2","vrm":"CD34EFG","cameraId":"W2","forceCode":"wiltshire","observedAt":"2026-06-01T12:20:00+01:00","lat":51.2,"lon":-2.0}""",
            """{"readId":"away-3","vrm":"CD34EFG","cameraId":"W2","forceCode":"wiltshire","observedAt":"2026-06-01T14:00:00+01:00","lat":51.2,"lon":-2.0}""",
            """{"readId":"home-late","vrm":"CD34EFG","cameraId":"W1","forceCode":"wiltshire","observedAt":"2026-06-01T13:55:00+01:00","lat":51.0,"lon":-2.0}""",
            """{"readId":"away-4","vrm":"CD34EFG","cameraId":"W2","forceCode":"wiltshire","observedAt":"2026-06-01T14:05:00+01:00","lat":51.2,"lon":-2.0}""",
        ]);
        Assert.That((await cli.RunAsync("replay", reads)).ExitCode, Is.Zero);

        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-01", "--format", "json", "--justification", "location repeat test")).Out)!.AsArray();
        Assert.That(hits.Select(h => $"{h!["readId"]} {h["priority"]} {h["alerted"]} {h["notAlertedReason"]}").Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "away-1 routine true ",
            "away-2 routine false suppressed",
            "away-3 routine true ",
            "away-4 routine false suppressed",
            "home-1 high true ",
            "home-late high true ",
        }));
    }

    [Test]
    public async Task Replay_raises_a_hit_read_inside_a_flagged_location_and_every_output_names_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,avon-and-somerset,2099-01-01\nCD34EFG,SR-2,MEDIUM,avon-and-somerset,2099-01-01\n");

        // Flagged by Wiltshire; LOC-W at 51.0 N 2.0 W with 1,000 m. 0.00899 deg north is 999.6 m (inside), 0.009 deg is 1,000.8 m.
        var locations = await WriteAsync(cli, "w.csv", "LOC-W,Lay-by,51.0,-2.0,1000,HIGH,wiltshire,2099-01-01,,");
        Assert.That((await cli.RunAsync("locations", "import", locations, "--force", "wiltshire")).ExitCode, Is.Zero);

        // Expected, by hand: daytime HIGH is high → urgent inside; MEDIUM is routine → high inside; outside or no
        // position, unchanged. Locations never create hits: EF56GHI (no marker) read inside the circle is no hit.
        var reads = cli.PathOf("reads.jsonl");
        await File.WriteAllLinesAsync(reads,
        [
            """{"readId":"in-high","vrm":"AB12CDE","cameraId":"W1","forceCode":"wiltshire","observedAt":"2026-06-01T12:00:00+01:00","lat":51.00899,"lon":-2.0}""",
            """{"readId":"in-medium","vrm":"CD34EFG","cameraId":"W1","forceCode":"wiltshire","observedAt":"2026-06-01T12:30:00+01:00","lat":51.00899,"lon":-2.0}""",
            """{"readId":"out-high","vrm":"AB12CDE","cameraId":"W2","forceCode":"dorset","observedAt":"2026-06-01T13:00:00+01:00","lat":51.009,"lon":-2.0}""",
            """{"readId":"no-position","vrm":"CD34EFG","cameraId":"W3","forceCode":"dorset","observedAt":"2026-06-01T13:30:00+01:00"}""",
            """{"readId":"no-marker","vrm":"EF56GHI","cameraId":"W1","forceCode":"wiltshire","observedAt":"2026-06-01T14:00:00+01:00","lat":51.0,"lon":-2.0}""",
        ]);
        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        var hits = JsonNode.Parse((await cli.RunAsync("hits", "list", "--from", "2026-06-01", "--to", "2026-06-01", "--format", "json", "--justification", "location raise test")).Out)!.AsArray();
        Assert.That(hits.Select(h => $"{h!["readId"]} {h["priority"]} {h["locationRef"]}").Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            "in-high urgent LOC-W",
            "in-medium high LOC-W",
            "no-position routine ",
            "out-high high ",
        }));

        var alerts = (await File.ReadAllLinesAsync(cli.PathOf("reads.alerts.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(alerts.Where(a => a["readId"]!.GetValue<string>() == "in-high").Select(a => $"{a["routedTo"]} {a["priority"]} {a["locationRef"]}").Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "avon-and-somerset urgent LOC-W", "wiltshire urgent LOC-W" }));

        var written = await cli.RunAsync("report", "evaluation", "--from", "2026-06-01", "--to", "2026-06-01", "--format", "json", "--out", cli.PathOf("report.json"), "--justification", "location raise test");
        Assert.That(written.ExitCode, Is.Zero, written.Err);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(cli.PathOf("report.json")))!;
        Assert.That(report["hits"]!["locationRaised"]!.GetValue<int>(), Is.EqualTo(2));
    }
}
