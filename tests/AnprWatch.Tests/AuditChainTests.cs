using System.Net;
using System.Text;
using AnprWatch.Tests.Web;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests;

/// <summary>
/// The audit log proves itself (issue 14): each entry carries a SHA-256 chained to the one before, and
/// <c>anprwatch audit verify</c> exits 0 with the count when the chain is whole and 1 naming the first entry that was
/// changed, removed or inserted, here by someone editing the real SQLite file with the triggers dropped.
/// </summary>
public class AuditChainTests
{
    /// <summary>A migrated store with exactly three audit entries (ids 1, 2, 3): three keys created.</summary>
    private static async Task<CliRunner> ThreeEntriesAsync()
    {
        var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        foreach (var name in new[] { "desk-1", "desk-2", "desk-3" })
        {
            Assert.That((await cli.RunAsync("keys", "create", "--role", "control-room", "--name", name)).ExitCode, Is.Zero);
        }

        Assert.That(await cli.ColumnAsync("SELECT audit_id FROM audit_log ORDER BY audit_id"), Is.EqualTo(new[] { "1", "2", "3" }));
        return cli;
    }

    private static async Task ExecuteAsync(CliRunner cli, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={cli.Database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task A_whole_chain_verifies_and_prints_the_count()
    {
        using var cli = await ThreeEntriesAsync();
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Err);
        Assert.That(verify.Out, Does.StartWith("audit log whole: 3 entries; head "));
    }

    [Test]
    public async Task An_entry_whose_fields_end_in_spaces_still_verifies()
    {
        // Honest entries: a CLI user typed with a trailing space, a justification ending in a newline.
        using var cli = await ThreeEntriesAsync();
        Assert.That((await cli.RunAsync("markers", "review-due", "--user", "bob ")).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "desk-4", "--user", "carol\t")).ExitCode, Is.Zero);
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Err);
        Assert.That(verify.Out, Does.StartWith("audit log whole: 5 entries; head "));
    }

    [Test]
    public async Task Insert_or_replace_is_refused_and_with_the_trigger_dropped_is_detected()
    {
        using var cli = await ThreeEntriesAsync();
        const string Replace = "INSERT OR REPLACE INTO audit_log (audit_id, at_ms, actor, role, action, subject) VALUES (2, 1780000000000, 'admin', 'admin', 'alter', 'api key desk-2 (control-room) created')";
        var refused = Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(cli, Replace));
        Assert.That(refused!.Message, Does.Contain("append-only"));

        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_replace");
        await ExecuteAsync(cli, Replace);
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain("entry 2 has no hash: it was inserted or replaced outside the application"));
    }

    [Test]
    public async Task A_deleted_entry_is_detected_after_the_delete_trigger_is_dropped()
    {
        using var cli = await ThreeEntriesAsync();
        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE audit_id = 2");
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain("entry 2 was removed"));
    }

    [Test]
    public async Task An_edited_field_is_detected_after_the_update_trigger_is_dropped()
    {
        using var cli = await ThreeEntriesAsync();
        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE audit_id = 3");
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain("entry 3 was changed"));
    }

    [Test]
    public async Task A_row_inserted_by_hand_is_detected()
    {
        using var cli = await ThreeEntriesAsync();
        await ExecuteAsync(cli, "INSERT INTO audit_log (at_ms, actor, role, action, subject) VALUES (1780000000000, 'ghost', 'admin', 'consult', 'nothing to see')");
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain("entry 4 has no hash"));
    }

    [Test]
    public async Task A_rewritten_entry_with_a_recomputed_hash_breaks_the_link_to_the_next()
    {
        using var cli = await ThreeEntriesAsync();
        var previous = (await cli.ColumnAsync("SELECT prev_hash FROM audit_log WHERE audit_id = 2")).Single();
        var forged = Storage.Audit.AuditLog.Hash(previous, 1780000000000, "admin", "admin", "alter", "nothing happened", null, null);
        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_replace; " +
            $"INSERT OR REPLACE INTO audit_log (audit_id, at_ms, actor, role, action, subject, prev_hash, entry_hash) VALUES (2, 1780000000000, 'admin', 'admin', 'alter', 'nothing happened', '{previous}', '{forged}')");
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain("entry 3 was inserted out of order or replaced: it does not follow entry 2"));
    }

    /// <summary>The count and head a verify printed, as an operator copies them into a ticket.</summary>
    private static async Task<(string Count, string Head)> RecordHeadAsync(CliRunner cli)
    {
        var verify = await cli.RunAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Err);
        var match = System.Text.RegularExpressions.Regex.Match(verify.Out, "^audit log whole: ([0-9]+) entries; head ([0-9a-f]{64})$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.That(match.Success, verify.Out);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    private static Task<CliResult> VerifyAgainstAsync(CliRunner cli, (string Count, string Head) anchor) =>
        cli.RunAsync("audit", "verify", "--expect-count", anchor.Count, "--expect-head", anchor.Head);

    private static async Task CreateKeysAsync(CliRunner cli, params string[] names)
    {
        foreach (var name in names)
        {
            Assert.That((await cli.RunAsync("keys", "create", "--role", "control-room", "--name", name)).ExitCode, Is.Zero);
        }
    }

    [Test]
    public async Task A_recorded_head_still_verifies_after_more_entries_are_appended()
    {
        using var cli = await ThreeEntriesAsync();
        var anchor = await RecordHeadAsync(cli);
        Assert.That(anchor.Count, Is.EqualTo("3"));
        Assert.That(anchor.Head, Is.EqualTo((await cli.ColumnAsync("SELECT entry_hash FROM audit_log WHERE audit_id = 3")).Single()));
        await CreateKeysAsync(cli, "desk-4", "desk-5");

        var verify = await VerifyAgainstAsync(cli, anchor);
        Assert.That(verify.ExitCode, Is.Zero, verify.Err);
        Assert.That(verify.Out, Does.StartWith("audit log whole: 5 entries; head ").And.Contain($"; anchor entry 3 still holds {anchor.Head} (2 appended since)"));
    }

    /// <summary>
    /// Found by an attack: an honest log checked with a count copied one off (4 for 3) was reported as "audit log
    /// rewritten", a tamper alarm, though the recorded head is intact at entry 3. It still exits 1 (it could also mean
    /// entries before the chain began were removed), but says where the head is and how to check again.
    /// </summary>
    [Test]
    public async Task A_count_recorded_one_off_says_where_the_head_is_instead_of_calling_the_log_rewritten()
    {
        using var cli = await ThreeEntriesAsync();
        var anchor = await RecordHeadAsync(cli);
        await CreateKeysAsync(cli, "desk-4", "desk-5");

        var verify = await VerifyAgainstAsync(cli, (Count: "4", anchor.Head));
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain($"head {anchor.Head} is entry 3, not entry 4").And.Contain("--expect-count 3").And.Not.Contain("rewritten"));
    }

    [Test]
    public async Task A_tail_cut_around_the_triggers_is_detected_against_the_recorded_head()
    {
        using var cli = await ThreeEntriesAsync();
        await CreateKeysAsync(cli, "desk-4", "desk-5");
        var anchor = await RecordHeadAsync(cli);
        Assert.That(anchor.Count, Is.EqualTo("5"));

        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE audit_id > 3");
        // What remains is a whole chain: without the recorded head the cut cannot be seen.
        Assert.That((await cli.RunAsync("audit", "verify")).ExitCode, Is.Zero);

        var verify = await VerifyAgainstAsync(cli, anchor);
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain($"audit log cut short: the anchor (entry 5, head {anchor.Head}) is missing: the log has only 3 entries, so at least 2 at its end were removed"));

        // New entries written after the cut fill the count again, but not with the recorded entry.
        await CreateKeysAsync(cli, "desk-6", "desk-7", "desk-8");
        var refilled = await VerifyAgainstAsync(cli, anchor);
        Assert.That(refilled.ExitCode, Is.EqualTo(1));
        Assert.That(refilled.Err, Does.Contain($"audit log rewritten: the anchor (entry 5, head {anchor.Head}) is not in the chain: entry 5 (audit id "));
    }

    [Test]
    public async Task A_chain_recomputed_after_an_edit_is_detected_against_the_recorded_head()
    {
        using var cli = await ThreeEntriesAsync();
        var anchor = await RecordHeadAsync(cli);
        Assert.That(ForgedHash(null, 1_780_000_000_000, "alice", "admin", "consult", "hits", null, null),
            Is.EqualTo("239817a13a94a97898d2fee5eb048d9325571667f5cd8684abd3aa761fe46485"), "the forger's hash is the documented one (known answer)");

        // The forger edits entry 2 and recomputes entries 2 and 3 so that every link holds again.
        await ExecuteAsync(cli, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE audit_id = 2");
        var previous = (await cli.ColumnAsync("SELECT entry_hash FROM audit_log WHERE audit_id = 1")).Single();
        string? lastForged = null;
        foreach (var id in new[] { 2, 3 })
        {
            var row = await RowAsync(cli, id);
            lastForged = ForgedHash(previous, row.AtMs, row.Actor, row.Role, row.Action, row.Subject, row.Justification, row.Detail);
            await ExecuteAsync(cli, $"UPDATE audit_log SET prev_hash = '{previous}', entry_hash = '{lastForged}' WHERE audit_id = {id}");
            previous = lastForged;
        }

        var alone = await cli.RunAsync("audit", "verify");
        Assert.That(alone.ExitCode, Is.Zero, "the recomputed chain is whole in itself: " + alone.Err);
        Assert.That(alone.Out, Does.Contain($"head {lastForged}"));

        var verify = await VerifyAgainstAsync(cli, anchor);
        Assert.That(verify.ExitCode, Is.EqualTo(1));
        Assert.That(verify.Err, Does.Contain($"audit log rewritten: the anchor (entry 3, head {anchor.Head}) is not in the chain: entry 3 (audit id 3) has hash {lastForged}"));
    }

    [TestCase("--expect-head", "0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("--expect-count", "3")]
    public async Task Half_an_anchor_is_refused_saying_both_are_needed(string option, string value)
    {
        using var cli = await ThreeEntriesAsync();
        var verify = await cli.RunAsync("audit", "verify", option, value);
        Assert.That(verify.ExitCode, Is.EqualTo(2));
        Assert.That(verify.Err, Does.Contain("--expect-count and --expect-head go together"));
    }

    [Test]
    public async Task A_head_that_is_not_a_hash_is_refused()
    {
        using var cli = await ThreeEntriesAsync();
        var verify = await cli.RunAsync("audit", "verify", "--expect-count", "3", "--expect-head", "abc");
        Assert.That(verify.ExitCode, Is.EqualTo(2));
        Assert.That(verify.Err, Does.Contain("--expect-head 'abc' is not a head hash"));

        // A pasted paragraph is not repeated back, only counted.
        var pasted = await cli.RunAsync("audit", "verify", "--expect-count", "3", "--expect-head", new string('x', 5000));
        Assert.That(pasted.ExitCode, Is.EqualTo(2));
        Assert.That(pasted.Err, Does.Contain("--expect-head (5,000 characters) is not a head hash").And.Not.Contain("xxxx"));
    }

    private sealed record AuditRow(long AtMs, string Actor, string Role, string Action, string Subject, string? Justification, string? Detail);

    private static async Task<AuditRow> RowAsync(CliRunner cli, int id)
    {
        await using var connection = new SqliteConnection($"Data Source={cli.Database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT at_ms, actor, role, action, subject, justification, detail FROM audit_log WHERE audit_id = {id}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new AuditRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), Text(5), Text(6));
    }

    /// <summary>
    /// The hash as a forger with the documented canonical form would compute it, written here without the production
    /// code: "anprwatch-audit-v1", then per field "|" and its length ":" its text, or "|-" for null.
    /// </summary>
    private static string ForgedHash(string? previous, long atMs, string actor, string role, string action, string subject, string? justification, string? detail)
    {
        var text = "anprwatch-audit-v1";
        foreach (var field in new[] { previous, atMs.ToString(System.Globalization.CultureInfo.InvariantCulture), actor, role, action, subject, justification, detail })
        {
            text += field is null ? "|-" : $"|{field.Length}:{field}";
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    [Test]
    public async Task Reading_the_audit_log_is_itself_audited()
    {
        using var cli = await ThreeEntriesAsync();
        var today = TestClock.UkToday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That((await cli.RunAsync("audit", "list", "--from", today, "--to", today, "--user", "dpo-1")).ExitCode, Is.Zero);
        var entry = (await cli.ColumnAsync("SELECT actor || '|' || action || '|' || subject FROM audit_log WHERE audit_id = 4")).Single();
        Assert.That(entry, Is.EqualTo($"dpo-1|consult|audit log {today}..{today} (3 rows)"));
        Assert.That((await cli.RunAsync("audit", "verify")).Out, Does.StartWith("audit log whole: 4 entries"));
    }

    /// <summary>Refusals leave a trace without the key; an admin acting as bureau is recorded as admin.</summary>
    [Test]
    public async Task The_api_audits_refusals_without_the_key_the_audit_read_and_the_real_role()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var admin = (await cli.RunAsync("keys", "create", "--role", "admin", "--name", "root")).Out.Trim();
        var analyst = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        const string BadKey = "aw_this-key-does-not-exist-0123456789";
        using (var stranger = serve.CreateClient(BadKey))
        {
            Assert.That((await stranger.GetAsync(new Uri("/api/alerts", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var riu = serve.CreateClient(analyst))
        {
            Assert.That((await riu.GetAsync(new Uri("/api/alerts", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using var root = serve.CreateClient(admin);
        const string Csv = "vrm,suspect_ref,risk_level,host_force,review_due,action\nAB12CDE,SR-9,HIGH,wiltshire,2099-01-01,Notify RIU\n";
        using (var upload = await root.PostAsync(new Uri("/api/markers/wiltshire", UriKind.Relative), new StringContent(Csv, Encoding.UTF8, "text/csv")))
        {
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK), await upload.Content.ReadAsStringAsync());
        }

        var today = TestClock.UkToday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That((await root.GetAsync(new Uri($"/api/audit?from={today}&to={today}", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var entries = await cli.ColumnAsync("SELECT actor || '|' || role || '|' || action || '|' || subject FROM audit_log WHERE audit_id > 2 AND actor <> 'anprwatch serve' ORDER BY audit_id");
        TestContext.Out.WriteLine(string.Join("\n", entries));
        Assert.That(entries, Has.Count.EqualTo(4), string.Join("\n", entries));
        Assert.That(entries[0], Does.StartWith("unknown|none|refused|authentication refused: unknown or revoked API key: GET /api/alerts from "));
        Assert.That(entries[1], Does.StartWith("riu|analyst|refused|authorisation refused: the role may not do this: GET /api/alerts from "));
        Assert.That(entries[2], Does.StartWith("root|admin|collect|marker list wiltshire v1"));
        Assert.That(entries[3], Does.StartWith($"root|admin|consult|audit log {today}..{today} ("));
        Assert.That(string.Join("\n", await cli.ColumnAsync("SELECT subject || coalesce(detail, '') FROM audit_log")), Does.Not.Contain(BadKey).And.Not.Contain(analyst).And.Not.Contain(admin));
        Assert.That((await cli.RunAsync("audit", "verify")).ExitCode, Is.Zero);
    }
}
