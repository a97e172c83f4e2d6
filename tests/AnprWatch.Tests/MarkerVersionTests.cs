using System.Text.Json.Nodes;

namespace AnprWatch.Tests;

/// <summary>Issue 4's command line: history, show, rollback (as a new version) and recorded reviews, all audited.</summary>
public class MarkerVersionTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due";

    private static async Task<string> WriteAsync(CliRunner cli, string name, params string[] rows)
    {
        var path = cli.PathOf(name);
        await File.WriteAllLinesAsync(path, [Header, .. rows]);
        return path;
    }

    [Test]
    public async Task Two_bureau_users_importing_one_force_at_once_never_both_win_and_no_removal_guard_is_bypassed()
    {
        // Two complete, disjoint lists for one force: whichever lands second would remove 100 % of the first, so it
        // must be refused (removals unconfirmed, or the list changed under it). Seen before the fix: both exited 0 and
        // the second's recorded diff was against the empty list.
        for (var round = 0; round < 3; round++)
        {
            using var cli = new CliRunner();
            var a = await WriteAsync(cli, "a.csv", [.. Enumerable.Range(0, 3000).Select(i => $"AA{i % 100:00}{Letters(i)},SR-A{i},HIGH,kent,2099-01-01")]);
            var b = await WriteAsync(cli, "b.csv", [.. Enumerable.Range(0, 3000).Select(i => $"BB{i % 100:00}{Letters(i)},SR-B{i},HIGH,kent,2099-01-01")]);
            var results = await Task.WhenAll(ImportProcessAsync(cli, a, "user-a"), ImportProcessAsync(cli, b, "user-b"));

            var history = JsonNode.Parse((await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json")).Out)!.AsArray();
            Assert.That(history, Has.Count.EqualTo(1), $"round {round}: both imports won\n{string.Join("\n", results.Select(r => r.Output))}");
            var winner = history[0]!["loadedBy"]!.GetValue<string>();
            var loser = results.Single(r => r.User != winner);
            Assert.Multiple(() =>
            {
                Assert.That(results.Single(r => r.User == winner).ExitCode, Is.Zero);
                Assert.That(loser.ExitCode, Is.AnyOf(1, 2), loser.Output);
                Assert.That(loser.Output, Does.Contain("nothing was changed").IgnoreCase.Or.Contain("Nothing was changed"), loser.Output);
                Assert.That(history[0]!["added"]!.GetValue<long>(), Is.EqualTo(3000), "the winner's diff is against the empty list it was checked against");
            });
        }
    }

    private static string Letters(int i) => $"{(char)('A' + (i / 100 % 26))}{(char)('A' + (i / 2600 % 26))}{(char)('C' + (i % 20))}";

    private static async Task<(string User, int ExitCode, string Output)> ImportProcessAsync(CliRunner cli, string file, string user)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
            [Kafka.ServeProcess.AppPath, "markers", "import", file, "--force", "kent", "--user", user, $"--Storage:ConnectionString=Data Source={cli.Database}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (user, process.ExitCode, (await error) + (await output)[..Math.Min(2000, (await output).Length)]);
    }

    [Test]
    public async Task Rollback_restores_an_earlier_version_as_a_new_one_and_history_shows_every_step()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", "AB12CDE,SR-1,HIGH,kent,2099-01-01", "CD34EFG,SR-2,MEDIUM,kent,2099-01-01"), "--force", "kent", "--user", "a");
        var v2 = await cli.RunAsync("markers", "import", await WriteAsync(cli, "v2.csv", "EF56GHI,SR-3,HIGH,kent,2099-01-01"), "--force", "kent", "--user", "b", "--confirm-removals");
        Assert.That(v2.ExitCode, Is.Zero, v2.Err);

        var rollback = await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "1", "--user", "c", "--confirm-removals");
        Assert.That(rollback.ExitCode, Is.Zero, rollback.Err);
        Assert.That(rollback.Out, Does.Contain("version 3 restores version 1"));

        var active = JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray();
        Assert.That(active.Select(m => m!["suspectRef"]!.GetValue<string>()), Is.EquivalentTo(new[] { "SR-1", "SR-2" }));

        var history = JsonNode.Parse((await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json", "--user", "d")).Out)!.AsArray();
        Assert.That(await cli.ColumnAsync("SELECT actor || ' ' || role || ' ' || action || ' ' || subject FROM audit_log WHERE subject LIKE 'markers history%'"),
            Is.EqualTo(new[] { "d cli consult markers history kent" }), "reading the history is an audited access");
        Assert.That(history.Select(v => (v!["version"]!.GetValue<long>(), v["loadedBy"]!.GetValue<string>(), v["isActive"]!.GetValue<bool>())),
            Is.EqualTo(new[] { (1L, "a", false), (2L, "b", false), (3L, "c", true) }));
        Assert.That(history[2]!["sha256"]!.GetValue<string>(), Is.EqualTo(history[0]!["sha256"]!.GetValue<string>()), "the restored list is version 1's file");
        Assert.That(history[2]!["source"]!.GetValue<string>(), Is.EqualTo("rollback v1"));

        Assert.That((await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "9")).ExitCode, Is.EqualTo(2));

        // Rolling back to the list already active is refused: it would only add an identical version to the history.
        var toActive = await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "3", "--confirm-removals");
        Assert.That((toActive.ExitCode, toActive.Err), Is.EqualTo((2, "error: version 3 is already kent's active marker list: nothing to roll back\n")));
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json")).Out)!.AsArray(), Has.Count.EqualTo(3));

        // Repeating the same rollback (a second click, the command run again) restores what version 3 already holds:
        // refused too, whatever its number, or the history gains a version 4 identical to version 3.
        var again = await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "1", "--confirm-removals");
        Assert.That((again.ExitCode, again.Err), Is.EqualTo((2, "error: version 1 holds exactly kent's active marker list (version 3): nothing to roll back\n")));
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json")).Out)!.AsArray(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_truncated_export_that_would_remove_most_of_the_list_changes_nothing_until_confirmed()
    {
        using var cli = new CliRunner();
        var full = Enumerable.Range(10, 28).Select(i => $"AB{i}CDE,SR-{i},HIGH,kent,2099-01-01").ToArray();
        var load = await cli.RunAsync("markers", "import", await WriteAsync(cli, "full.csv", full), "--force", "kent");
        Assert.That(load.ExitCode, Is.Zero, load.Err);

        // 3 rows of 28: 25 removals (89 %), far past the default 20 %.
        var truncated = await cli.RunAsync("markers", "import", await WriteAsync(cli, "truncated.csv", full[..3]), "--force", "kent");
        Assert.Multiple(() =>
        {
            Assert.That(truncated.ExitCode, Is.EqualTo(2));
            Assert.That(truncated.Err, Does.Contain("would take 25 of the 28 alerting markers of kent out of matching").And.Contain("Nothing was changed").And.Contain("--confirm-removals"));
        });
        var active = JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray();
        Assert.That(active, Has.Count.EqualTo(28), "the active list is untouched");

        // 5 of 28 removed (17.9 %) is within the share; the whole truncated file passes once confirmed.
        Assert.That((await cli.RunAsync("markers", "import", await WriteAsync(cli, "most.csv", full[..23]), "--force", "kent")).ExitCode, Is.Zero);
        var confirmed = await cli.RunAsync("markers", "import", await WriteAsync(cli, "truncated2.csv", full[..3]), "--force", "kent", "--confirm-removals");
        Assert.That(confirmed.ExitCode, Is.Zero, confirmed.Err);
        Assert.That(JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task The_diff_shows_old_and_new_values_so_a_risk_downgrade_is_visible()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", "WG44KSX,SR-1,HIGH,kent,2099-01-01"), "--force", "kent");
        var dry = await cli.RunAsync("markers", "import", await WriteAsync(cli, "v2.csv", "WG44KSX,SR-1,MEDIUM,kent,2099-01-01"), "--force", "kent", "--dry-run");
        Assert.That(dry.ExitCode, Is.Zero, dry.Err);
        Assert.That(dry.Out, Does.Contain("~ WG44KSX SR-1: risk_level HIGH → MEDIUM"));
    }

    [Test]
    public async Task Re_importing_the_pnc_export_keeps_a_review_recorded_here_since()
    {
        using var cli = new CliRunner();
        const string Export = "AB12CDE,SR-1,HIGH,kent,2026-01-01";
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "export.csv", Export, "CD34EFG,SR-2,MEDIUM,kent,2026-01-01"), "--force", "kent");
        var reviewed = TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var review = await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", reviewed, "--note", "still active, per DS Smith");
        Assert.That(review.ExitCode, Is.Zero, review.Err);

        // The same export again (still carrying 2026-01-01): the later review date recorded here wins, and the report says so.
        var again = await cli.RunAsync("markers", "import", await WriteAsync(cli, "export-again.csv", Export, "CD34EFG,SR-2,MEDIUM,kent,2026-01-01"), "--force", "kent");
        Assert.That(again.ExitCode, Is.Zero, again.Err);
        Assert.That(again.Out, Does.Contain("kept the later review date of 1 marker").And.Contain($"= AB12CDE SR-1: review_due kept at {reviewed}"));
        var active = JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray();
        var reviewDue = active.ToDictionary(m => m!["suspectRef"]!.GetValue<string>(), m => m!["reviewDue"]!.GetValue<string>());
        Assert.That(reviewDue, Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = reviewed, ["SR-2"] = "2026-01-01" }));
    }

    /// <summary>
    /// Found by an attack: the import that kept the review stored the kept date as its own, so the second re-import took
    /// it for the file's date and undid the review. Each import now stores the file's date beside the kept one.
    /// </summary>
    [Test]
    public async Task A_review_recorded_here_survives_every_re_import_of_the_same_export_not_only_the_first()
    {
        using var cli = new CliRunner();
        string[] export = ["AB12CDE,SR-1,HIGH,kent,2026-01-01", "CD34EFG,SR-2,MEDIUM,kent,2026-01-01"];
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "export.csv", export), "--force", "kent");
        var reviewed = TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That((await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", reviewed, "--note", "still active, per DS Smith")).ExitCode, Is.Zero);

        for (var round = 1; round <= 3; round++)
        {
            var again = await cli.RunAsync("markers", "import", await WriteAsync(cli, $"export-{round}.csv", export), "--force", "kent");
            Assert.That(again.ExitCode, Is.Zero, again.Err);
            Assert.That(again.Out, Does.Contain($"= AB12CDE SR-1: review_due kept at {reviewed}"), $"re-import {round}");
            Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = reviewed, ["SR-2"] = "2026-01-01" }), $"re-import {round}");
        }

        // The export still corrects what it supplied: SR-2 (never reviewed here) brought forward, and a later PNC date
        // for SR-1 than the review's wins (the later date always wins).
        var later = TestClock.UkToday.AddMonths(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var corrected = await cli.RunAsync("markers", "import", await WriteAsync(cli, "corrected.csv", $"AB12CDE,SR-1,HIGH,kent,{later}", "CD34EFG,SR-2,MEDIUM,kent,2025-12-01"), "--force", "kent");
        Assert.That(corrected.ExitCode, Is.Zero, corrected.Err);
        Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = later, ["SR-2"] = "2025-12-01" }));

        // Once the export supplied SR-1's date itself, an earlier date in the next export is a correction again.
        var back = await cli.RunAsync("markers", "import", await WriteAsync(cli, "back.csv", export), "--force", "kent");
        Assert.That(back.ExitCode, Is.Zero, back.Err);
        Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = "2026-01-01", ["SR-2"] = "2026-01-01" }));
    }

    /// <summary>
    /// Found by an attack: after `markers rollback` undid an import, the dates of the import rolled back were still
    /// taken for the file's, so every later date in the restored list read as "reviewed here" and a re-import of the
    /// correcting export was refused ("review_due kept") though nobody reviewed anything. The file dates compared are
    /// now those of the import the active list descends from (through reviews and rollbacks).
    /// </summary>
    [Test]
    public async Task A_correction_re_imported_after_its_import_was_rolled_back_applies_while_a_restored_review_is_kept()
    {
        using var cli = new CliRunner();
        static string Months(int n) => TestClock.UkToday.AddMonths(n).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string[] first = [$"AB12CDE,SR-1,HIGH,kent,{Months(6)}", $"CD34EFG,SR-2,MEDIUM,kent,{Months(6)}"];
        string[] correcting = [$"AB12CDE,SR-1,HIGH,kent,{Months(3)}", $"CD34EFG,SR-2,MEDIUM,kent,{Months(6)}"];
        Assert.That((await cli.RunAsync("markers", "import", await WriteAsync(cli, "first.csv", first), "--force", "kent")).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("markers", "import", await WriteAsync(cli, "correcting.csv", correcting), "--force", "kent")).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "1")).ExitCode, Is.Zero);
        Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = Months(6), ["SR-2"] = Months(6) }));

        var again = await cli.RunAsync("markers", "import", await WriteAsync(cli, "correcting-again.csv", correcting), "--force", "kent");
        Assert.That(again.ExitCode, Is.Zero, again.Err);
        Assert.That(again.Out, Does.Not.Contain("kept"));
        Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = Months(3), ["SR-2"] = Months(6) }));

        // A review, an import over it, then a rollback to the review's version: the review is the active date again, and
        // a re-import of the export it was recorded against keeps it.
        var reviewed = Months(8);
        Assert.That((await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "CD34EFG", "--suspect", "SR-2", "--review-due", reviewed, "--note", "reviewed")).ExitCode, Is.Zero);
        var review = (await cli.ColumnAsync("SELECT MAX(version) FROM marker_lists WHERE force_code = 'kent'")).Single();
        Assert.That((await cli.RunAsync("markers", "import", await WriteAsync(cli, "later.csv", $"AB12CDE,SR-1,HIGH,kent,{Months(3)}", $"CD34EFG,SR-2,MEDIUM,kent,{Months(24)}"), "--force", "kent")).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", review)).ExitCode, Is.Zero);
        var kept = await cli.RunAsync("markers", "import", await WriteAsync(cli, "correcting-3.csv", correcting), "--force", "kent");
        Assert.That(kept.ExitCode, Is.Zero, kept.Err);
        Assert.That(await ReviewDatesAsync(cli), Is.EqualTo(new Dictionary<string, string> { ["SR-1"] = Months(3), ["SR-2"] = reviewed }));
    }

    private static async Task<Dictionary<string, string>> ReviewDatesAsync(CliRunner cli)
        => JsonNode.Parse((await cli.RunAsync("markers", "list", "--force", "kent", "--format", "json")).Out)!.AsArray()
            .ToDictionary(m => m!["suspectRef"]!.GetValue<string>(), m => m!["reviewDue"]!.GetValue<string>());

    [Test]
    public async Task A_correction_in_the_pnc_export_that_brings_a_review_forward_is_applied()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", "AB00CDE,SR-1,HIGH,kent,2099-01-01"), "--force", "kent");

        // The date came from the last export, not from a review here: the export's earlier date is a correction and wins.
        var corrected = await cli.RunAsync("markers", "import", await WriteAsync(cli, "v2.csv", "AB00CDE,SR-1,HIGH,kent,2098-12-05"), "--force", "kent");
        Assert.That(corrected.ExitCode, Is.Zero, corrected.Err);
        Assert.That(corrected.Out, Does.Contain("review_due 2099-01-01 → 2098-12-05").And.Not.Contain("kept the later review date"));
    }

    /// <summary>
    /// Found by an attack: two HIGH markers padded with eight LOW rows, then a file of only the LOW rows, removed 20 % of
    /// the rows and passed, leaving kent with nothing that alerts. The guard weighs the markers that alert.
    /// </summary>
    [Test]
    public async Task Padding_a_list_with_rows_that_never_alert_does_not_hide_the_loss_of_the_ones_that_do()
    {
        using var cli = new CliRunner();
        string[] alerting = ["AB01CDE,SR-1,HIGH,kent,2099-01-01", "AB02CDE,SR-2,MEDIUM,kent,2099-01-01"];
        var low = Enumerable.Range(10, 8).Select(i => $"AB{i}CDE,SR-{i},LOW,kent,2099-01-01").ToArray();
        Assert.That((await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", [.. alerting, .. low]), "--force", "kent")).ExitCode, Is.Zero);

        var refused = await cli.RunAsync("markers", "import", await WriteAsync(cli, "v2.csv", low), "--force", "kent");
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.Out);
        Assert.That(refused.Err, Does.Contain("would take 2 of the 2 alerting markers of kent out of matching"));
    }

    [Test]
    public async Task Expiring_or_lowering_most_of_the_list_in_place_needs_confirming_like_removing_it()
    {
        using var cli = new CliRunner();
        var rows = Enumerable.Range(10, 10).Select(i => $"AB{i}CDE,SR-{i},HIGH,kent,2099-01-01").ToArray();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", rows), "--force", "kent");
        var expiredYesterday = TestClock.UkToday.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var expired = rows.Select(r => r + "," + expiredYesterday).ToArray();
        var refused = await cli.RunAsync("markers", "import", await WriteExpiresAsync(cli, "expired.csv", expired), "--force", "kent");
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.Out);
        Assert.That(refused.Err, Does.Contain("would take 10 of the 10 alerting markers of kent out of matching"));

        var lowered = await cli.RunAsync("markers", "import", await WriteAsync(cli, "low.csv", rows.Select(r => r.Replace("HIGH", "LOW", StringComparison.Ordinal)).ToArray()), "--force", "kent");
        Assert.That(lowered.ExitCode, Is.EqualTo(2), lowered.Out);

        // A rollback to a nearly empty version is held to the same rule.
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "one.csv", rows[..1]), "--force", "kent", "--confirm-removals");
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "all.csv", rows), "--force", "kent");
        var rollback = await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "2");
        Assert.That(rollback.ExitCode, Is.EqualTo(2), rollback.Out);
        Assert.That((await cli.RunAsync("markers", "rollback", "--force", "kent", "--to-version", "2", "--confirm-removals")).ExitCode, Is.Zero);
    }

    private static async Task<string> WriteExpiresAsync(CliRunner cli, string name, params string[] rows)
    {
        var path = cli.PathOf(name);
        await File.WriteAllLinesAsync(path, ["vrm,suspect_ref,risk_level,host_force,review_due,expires", .. rows]);
        return path;
    }

    [Test]
    public async Task A_review_date_years_away_is_refused()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", "AB12CDE,SR-1,HIGH,kent,2099-01-01"), "--force", "kent");
        var review = await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", "9999-12-31", "--note", "typo");
        Assert.That(review.ExitCode, Is.EqualTo(2));
        Assert.That(review.Err, Does.Contain("within 2 years"));
    }

    [Test]
    public async Task A_review_moves_one_markers_review_date_with_an_audited_note()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "v1.csv", "AB12CDE,SR-1,HIGH,kent,2026-01-01", "CD34EFG,SR-2,MEDIUM,kent,2026-01-01"), "--force", "kent");
        var due = JsonNode.Parse((await cli.RunAsync("markers", "review-due", "--format", "json")).Out)!.AsArray();
        Assert.That(due, Has.Count.EqualTo(2));

        var review = await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "ab12 cde", "--suspect", "SR-1", "--review-due", TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--note", "still active, per DS Smith", "--user", "bureau-1");
        Assert.That(review.ExitCode, Is.Zero, review.Err);
        due = JsonNode.Parse((await cli.RunAsync("markers", "review-due", "--format", "json")).Out)!.AsArray();
        Assert.That(due.Select(m => m!["suspectRef"]!.GetValue<string>()), Is.EqualTo(new[] { "SR-2" }));

        var audit = await cli.RunAsync("audit", "list", "--from", TestClock.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            "--to", TestClock.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--format", "json");
        Assert.That(JsonNode.Parse(audit.Out)!.AsArray().Any(e => e!["actor"]!.GetValue<string>() == "bureau-1" && e["action"]!.GetValue<string>() == "alter"
            && e["detail"]?.GetValue<string>() == "still active, per DS Smith"), Is.True);

        Assert.That((await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "ZZ99ZZZ", "--suspect", "SR-1", "--review-due", TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--note", "x")).ExitCode, Is.EqualTo(2));
        Assert.That((await cli.RunAsync("markers", "review", "--force", "kent", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", "2020-01-01", "--note", "x")).ExitCode, Is.EqualTo(2));
    }

    [Test]
    public async Task Show_lists_a_vehicles_markers_and_the_versions_it_appears_in()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "k.csv", "AB12CDE,SR-1,HIGH,kent,2099-01-01"), "--force", "kent");
        await cli.RunAsync("markers", "import", await WriteAsync(cli, "e.csv", "AB12CDE,SR-9,MEDIUM,essex,2099-01-01"), "--force", "essex");
        var shown = JsonNode.Parse((await cli.RunAsync("markers", "show", "AB-12 CDE")).Out)!;
        Assert.That(shown["plateFormat"]!.GetValue<string>(), Is.EqualTo("current"));
        Assert.That(shown["active"]!.AsArray().Select(m => m!["suspectRef"]!.GetValue<string>()), Is.EquivalentTo(new[] { "SR-1", "SR-9" }));
        Assert.That(shown["versions"]!.AsArray().Select(v => v!["force"]!.GetValue<string>()), Is.EquivalentTo(new[] { "kent", "essex" }));
    }
}
