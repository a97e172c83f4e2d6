using System.CommandLine;
using System.Globalization;
using AnprWatch.Cli;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Hardening;

/// <summary>
/// Every option and argument of every command (walked from the real command tree) is given each injection string.
/// Each run must end as an answer (0) or a clear input error (2), never a store error; the schema, the hits, the
/// markers and the keys must be exactly as before; and free text must be stored verbatim (proof of parameters).
/// </summary>
public class CliInjectionTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";

    /// <summary>Valid values for each command's required slots; the injection replaces one slot at a time.</summary>
    private static Dictionary<string, string[]> BaseArgs(CliRunner cli) => new()
    {
        ["markers import"] = [cli.PathOf("markers.csv"), "--force", "wiltshire", "--user", "bureau"],
        ["markers list"] = ["--force", "wiltshire", "--format", "csv", "--user", "bureau"],
        ["markers review-due"] = ["--within", "30", "--format", "csv", "--user", "bureau"],
        ["markers history"] = ["--force", "wiltshire", "--format", "csv"],
        ["markers show"] = ["AB12CDE", "--user", "bureau"],
        ["markers rollback"] = ["--force", "wiltshire", "--to-version", "1", "--user", "bureau"],
        ["markers review"] = ["--force", "wiltshire", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--note", "ok", "--user", "bureau"],
        ["locations import"] = [cli.PathOf("locations.csv"), "--force", "wiltshire", "--user", "bureau"],
        ["locations list"] = ["--force", "wiltshire", "--format", "csv", "--user", "bureau"],
        ["locations history"] = ["--force", "wiltshire", "--format", "csv"],
        ["locations rollback"] = ["--force", "wiltshire", "--to-version", "1", "--user", "bureau"],
        ["replay"] = [cli.PathOf("reads.jsonl"), "--alerts", cli.PathOf("alerts.jsonl")],
        ["hits list"] = ["--from", "2026-06-01", "--to", "2026-06-02", "--force", "wiltshire", "--vrm", "AB12CDE", "--format", "csv", "--user", "analyst", "--justification", "case 2026/114 review"],
        ["simulate"] = ["--scenario", "railcar", "--out", cli.PathOf("sim"), "--seed", "1", "--vehicles", "5"],
        ["db migrate"] = [],
        ["db script"] = ["--provider", "sqlserver"],
        ["keys create"] = ["--role", "analyst", "--name", "fresh", "--user", "admin"],
        ["keys create --scope"] = ["--role", "control-room", "--name", "fresh-scoped", "--force", "kent", "--region", "London", "--user", "admin"],
        ["keys list"] = ["--format", "csv"],
        ["keys revoke"] = ["--name", "nobody", "--user", "admin"],
        ["audit list"] = ["--from", "2026-06-01", "--to", "2026-06-02", "--format", "csv", "--user", "dpo"],
        ["audit verify"] = [],
        ["report evaluation"] = ["--from", "2026-06-01", "--to", "2026-06-02", "--force", "wiltshire", "--format", "json", "--out", cli.PathOf("report.json"), "--justification", "case 2026/114 review", "--user", "analyst"],
        ["report evaluation --region"] = ["--from", "2026-06-01", "--to", "2026-06-02", "--region", "South West", "--format", "csv", "--out", cli.PathOf("report.csv"), "--user", "analyst"],
        ["config check"] = [],
        ["purge"] = ["--user", "dpo"],
    };

    /// <summary>Slots holding a file path: the string is a file name there, never SQL, so an I/O error (exit 1) is a fair answer.</summary>
    private static readonly string[] PathSlots = ["<file>", "<reads>", "--alerts", "--out"];

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path)
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path.Trim(), command);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, path + " " + sub.Name))
            {
                yield return leaf;
            }
        }
    }

    private static List<(string Path, Command Command)> CommandTree()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TestClock.Provider, () => Hosting.AppConfiguration.Build([]));
        return Leaves(CliApp.BuildRoot(context), "").Where(l => l.Path != "serve").ToList();
    }

    /// <summary>args with one slot (an option's value, or the positional argument) replaced by <paramref name="value"/>.</summary>
    private static string[] With(string[] baseArgs, string slot, string value)
    {
        var args = baseArgs.ToList();
        if (slot.StartsWith('<'))
        {
            args[0] = value;
            return [.. args];
        }

        var at = args.IndexOf(slot);
        if (at < 0)
        {
            args.AddRange([slot, value]);
        }
        else
        {
            args[at + 1] = value;
        }

        return [.. args];
    }

    [Test]
    public async Task Injection_strings_in_every_option_of_every_command_are_refused_or_stored_verbatim_and_change_nothing_else()
    {
        // A fixed clock: `purge` is one of the commands run, and from 2027-06-01 its default year would delete the
        // 2026-06-01 hit this test expects to survive.
        using var cli = new CliRunner(clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)));
        await cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2099-01-01,,RAILCAR,,,ACT\n");
        await File.WriteAllTextAsync(cli.PathOf("reads.jsonl"),
            """{"readId":"r-1","vrm":"AB12CDE","cameraId":"CAM-1","forceCode":"DORSET","observedAt":"2026-06-01T10:00:00Z"}""" + "\n");
        Assert.That((await cli.RunAsync("replay", cli.PathOf("reads.jsonl"))).ExitCode, Is.Zero);
        Assert.That((await cli.RunAsync("keys", "create", "--role", "admin", "--name", "keeper")).ExitCode, Is.Zero);
        await File.WriteAllTextAsync(cli.PathOf("locations.csv"), "location_ref,name,lat,lon,radius_m,risk_level,force,review_due\nLOC-1,Lay-by,51.35,-1.99,250,HIGH,wiltshire,2099-01-01\n");

        const string Schema = "SELECT type || ' ' || name FROM sqlite_master ORDER BY name";
        const string Hits = "SELECT hit_id FROM hits ORDER BY hit_id";
        const string Keeper = "SELECT name FROM api_keys WHERE name = 'keeper' AND revoked_at_ms IS NULL";
        var schema = await cli.ColumnAsync(Schema);
        var hits = await cli.ColumnAsync(Hits);
        Assert.That(hits, Has.Count.EqualTo(1));

        var table = BaseArgs(cli);
        var tree = CommandTree();
        Assert.That(tree.Select(l => l.Path).Order(), Is.EqualTo(table.Keys.Where(k => !k.Contains("--", StringComparison.Ordinal)).Order()),
            "every command needs a row of valid arguments here");

        var failures = new List<string>();
        var runs = 0;
        foreach (var (path, command) in tree)
        {
            var slots = command.Options.Where(o => o.Name != "--help" && o.Name != "-h" && o.ValueType != typeof(bool)).Select(o => o.Name)
                .Concat(command.Arguments.Select(a => $"<{a.Name}>")).ToList();
            foreach (var (row, baseArgs) in table.Where(t => t.Key == path || t.Key.StartsWith(path + " --", StringComparison.Ordinal)))
            {
                foreach (var slot in slots)
                {
                    foreach (var injection in InjectionStrings.All)
                    {
                        var value = PathSlots.Contains(slot) ? cli.PathOf("x" + injection.Replace('/', '_')) : injection;
                        var args = With(baseArgs, slot, value);
                        var result = await cli.RunAsync([.. path.Split(' '), .. args]);
                        runs++;
                        var allowed = PathSlots.Contains(slot) ? new[] { 0, 1, 2 } : [0, 2];
                        var leaked = InjectionStrings.StoreErrorMarkers.FirstOrDefault(m => result.Err.Contains(m, StringComparison.OrdinalIgnoreCase) || result.Out.Contains(m, StringComparison.OrdinalIgnoreCase));
                        if (!allowed.Contains(result.ExitCode) || leaked is not null || (result.ExitCode == 2 && string.IsNullOrWhiteSpace(result.Err)))
                        {
                            failures.Add($"{row} {slot}={injection}: exit {result.ExitCode}{(leaked is null ? "" : $", shows '{leaked}'")}: {result.Err.Trim()}");
                        }
                    }
                }
            }
        }

        TestContext.Out.WriteLine($"{runs} runs, {failures.Count} failures");
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(runs, Is.GreaterThan(300));
            Assert.That(failures, Is.Empty);
            Assert.That(await cli.ColumnAsync(Schema), Is.EqualTo(schema), "no table was dropped or added");
            Assert.That(await cli.ColumnAsync("PRAGMA integrity_check"), Is.EqualTo(new[] { "ok" }));
            Assert.That(await cli.ColumnAsync(Hits), Is.EqualTo(hits), "no hit was added or deleted");
            Assert.That(await cli.ColumnAsync(Keeper), Is.EqualTo(new[] { "keeper" }), "no key was revoked by a pattern");
            Assert.That(await cli.ColumnAsync("SELECT vrm FROM markers m JOIN marker_lists l ON l.list_id = m.list_id WHERE l.force_code = 'wiltshire' AND l.is_active = 1"),
                Is.EqualTo(new[] { "AB12CDE" }), "the active list is the one loaded");

            // Free text reaches the store as data: the note and justification come back byte for byte.
            var justifications = await cli.ColumnAsync("SELECT justification FROM audit_log WHERE justification IS NOT NULL");
            // (A justification under 10 characters is refused before it is stored, so only the longer strings can arrive.)
            Assert.That(justifications, Is.SupersetOf(InjectionStrings.All.Where(s => s.Trim().Length >= 10)));
        });
    }
}
