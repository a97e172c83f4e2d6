using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AnprWatch.Cli;
using AnprWatch.Hosting;
using AnprWatch.Tests.Web;

namespace AnprWatch.Tests;

/// <summary>
/// Issue 18, bounds: free text is refused before the store when it is longer than its SQL Server column, so a value
/// SQLite would keep whole never becomes a truncation error (or a lost audit entry) on SQL Server. Every input path is
/// audited by walking the real command tree and endpoint table: each string input is either bounded (the literal
/// table below) or listed here as not free text, with why.
/// </summary>
[NonParallelizable]
public class TextBoundsTests
{
    /// <summary>The limits, written out by hand (never read from the table they check): input, field, longest value.</summary>
    private static readonly (string Input, string Field, int Max)[] Limits =
    [
        ("cli", "--user", 128),
        ("cli", "--justification", 1000),
        ("cli", "--note", 1000),
        ("cli", "--name", 128),
        ("cli", "--suspect", 64),
        ("GET /api/hits", "justification", 1000),
        ("GET /api/reports/evaluation", "justification", 1000),
        ("POST /api/hits/{hitId}/outcome", "note", 2000),
        ("POST /api/markers/{force}/review", "note", 1000),
        ("POST /api/markers/{force}/review", "suspectRef", 64),
    ];

    /// <summary>CLI string options that are not free text, and why.</summary>
    private static readonly Dictionary<string, string> CliNotFreeText = new(StringComparer.Ordinal)
    {
        ["--role"] = "one of four roles",
        ["--force"] = "a force code from the force table",
        ["--region"] = "a region from the force table",
        ["--from"] = "a date",
        ["--to"] = "a date",
        ["--format"] = "one of a few formats",
        ["--vrm"] = "normalised as a VRM (at most 32 characters raw)",
        ["--review-due"] = "a date",
        ["--scenario"] = "a scenario name from a fixed set",
        ["--provider"] = "sqlserver",
        ["--expect-head"] = "a SHA-256 in hex: anything but 64 hex characters is refused (exit 2), echoed only when short",
    };

    /// <summary>API string inputs (query, route, JSON body property) that are not free text, and why.</summary>
    private static readonly Dictionary<string, string> ApiNotFreeText = new(StringComparer.Ordinal)
    {
        ["force"] = "a force code from the force table",
        ["region"] = "a region from the force table",
        ["from"] = "a date", ["to"] = "a date", ["since"] = "a timestamp", ["reviewDue"] = "a date",
        ["vrm"] = "normalised as a VRM (at most 32 characters raw)",
        ["format"] = "one of a few formats", ["state"] = "one of the outbox states",
        ["status"] = "one of the outcome statuses", ["reason"] = "one of the outcome reasons",
        ["hitId"] = "looked up (a hit id is 32 characters); an unknown one is a 404",
        ["lastEventId"] = "an SSE cursor, parsed",
    };

    [Test]
    public void The_limits_are_the_ones_written_here()
        => Assert.That(TextLimits.All.Select(l => (l.Input, l.Field, l.Max)), Is.EquivalentTo(Limits));

    [Test]
    public void Every_string_option_of_every_command_is_bounded_or_not_free_text()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TestClock.Provider, () => AppConfiguration.Build([]));
        var unclassified = Commands(CliApp.BuildRoot(context), "")
            .SelectMany(c => c.Command.Options.Where(o => o.ValueType == typeof(string) || o.ValueType == typeof(string[])).Select(o => $"{c.Path} {o.Name}"))
            .Where(o => !TextLimits.CliOptions.ContainsKey(o.Split(' ')[^1]) && !CliNotFreeText.ContainsKey(o.Split(' ')[^1]))
            .ToList();
        Assert.That(unclassified, Is.Empty, "a new free-text option needs a limit in TextLimits (or a reason it is not free text here)");
    }

    [Test]
    public void Every_string_input_of_every_endpoint_is_bounded_or_not_free_text()
    {
        var unclassified = new List<string>();
        foreach (var endpoint in AppEndpoints.Table().Where(e => e.Route.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var name = $"{endpoint.Method} {endpoint.Route}";
            var inputs = endpoint.Parameters.Where(p => p.ParameterType == typeof(string)).Select(p => p.Name!)
                .Concat(endpoint.Parameters.Where(p => p.ParameterType.Name.EndsWith("Request", StringComparison.Ordinal))
                    .SelectMany(p => p.ParameterType.GetProperties().Where(q => q.PropertyType == typeof(string)).Select(q => char.ToLowerInvariant(q.Name[0]) + q.Name[1..])));
            unclassified.AddRange(inputs.Where(i => !ApiNotFreeText.ContainsKey(i) && !Limits.Any(l => l.Input == name && l.Field == i))
                .Select(i => $"{name}: {i}"));
        }

        Assert.That(unclassified, Is.Empty, "a new free-text field needs a limit in TextLimits (or a reason it is not free text here)");
    }

    /// <summary>One command per limited option; the error names the option, the command exits 2 and writes nothing.</summary>
    public static IEnumerable<TestCaseData> CliCases()
    {
        TestCaseData Case(string option, int max, params string[] args) => new TestCaseData(option, max, args).SetArgDisplayNames($"{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} {option}");
        yield return Case("--user", 128, "hits", "list", "--from", "2026-11-01", "--to", "2026-11-30");
        yield return Case("--justification", 1000, "hits", "list", "--from", "2026-11-01", "--to", "2026-11-30");
        yield return Case("--name", 128, "keys", "create", "--role", "admin");
        yield return Case("--name", 128, "keys", "revoke");
        yield return Case("--user", 128, "keys", "create", "--role", "admin", "--name", "desk");
        yield return Case("--suspect", 64, "markers", "review", "--force", "avon-and-somerset", "--vrm", "AB12CDE", "--review-due", "2027-01-01", "--note", "seen at desk");
        yield return Case("--note", 1000, "markers", "review", "--force", "avon-and-somerset", "--vrm", "AB12CDE", "--suspect", "SR-1", "--review-due", "2027-01-01");
        yield return Case("--user", 128, "purge");
        yield return Case("--justification", 1000, "report", "evaluation", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", "--out", "report.json");
    }

    [TestCaseSource(nameof(CliCases))]
    public async Task A_free_text_option_longer_than_its_column_exits_2_naming_it_and_writes_nothing(string option, int max, string[] args)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync([.. args, option, new string('x', max + 1)]);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain($"error: {option} is {max + 1} characters long; at most {max} are allowed"));
            Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM audit_log"), Is.EqualTo(new[] { "0" }));
        });

        var atLimit = await cli.RunAsync([.. args, option, new string('x', max)]);
        Assert.That(atLimit.Err, Does.Not.Contain("characters long"), "a value at the limit is not refused for its length");
    }

    [Test]
    public async Task Values_at_the_limit_are_stored_whole()
    {
        using var cli = new CliRunner();
        var user = new string('u', 128);
        var justification = new string('j', 1000);
        var result = await cli.RunAsync("hits", "list", "--from", "2026-11-01", "--to", "2026-11-30", "--user", user, "--justification", justification);
        Assert.That(result.ExitCode, Is.Zero, result.Err);
        Assert.That(await cli.ColumnAsync("SELECT length(actor) || ',' || length(justification) FROM audit_log"), Is.EqualTo(new[] { "128,1000" }));
    }

    /// <summary>
    /// The API's limited fields over a real serve: a 400 whose detail names the field (and, for a JSON body, whose
    /// <c>errors</c> map has it), nothing written but the sign-in's own audit.
    /// </summary>
    [Test]
    public async Task An_api_field_longer_than_its_column_is_a_400_naming_it()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "admin", "--name", "bounds")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var http = serve.CreateClient(key);

        async Task<JsonObject> Refused(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            return JsonNode.Parse(body)!.AsObject();
        }

        var outcome = await Refused(await http.PostAsJsonAsync("/api/hits/0123456789abcdef0123456789abcdef/outcome", new { status = "stopped", note = new string('n', 2001) }));
        var review = await Refused(await http.PostAsJsonAsync("/api/markers/avon-and-somerset/review", new { vrm = "AB12CDE", suspectRef = new string('s', 65), reviewDue = "2027-01-01", note = "seen" }));
        var reviewNote = await Refused(await http.PostAsJsonAsync("/api/markers/avon-and-somerset/review", new { vrm = "AB12CDE", suspectRef = "SR-1", reviewDue = "2027-01-01", note = new string('n', 1001) }));
        var hits = await Refused(await http.GetAsync($"/api/hits?from=2026-11-01&to=2026-11-30&justification={new string('j', 1001)}"));
        var evaluation = await Refused(await http.GetAsync($"/api/reports/evaluation?from=2026-11-01&to=2026-11-30&format=json&justification={new string('j', 1001)}"));
        Assert.Multiple(() =>
        {
            Assert.That(outcome["errors"]?["note"]?[0]?.GetValue<string>(), Is.EqualTo("note is 2001 characters long; at most 2000 are allowed"));
            Assert.That(review["errors"]?["suspectRef"]?[0]?.GetValue<string>(), Is.EqualTo("suspectRef is 65 characters long; at most 64 are allowed"));
            Assert.That(reviewNote["errors"]?["note"]?[0]?.GetValue<string>(), Is.EqualTo("note is 1001 characters long; at most 1000 are allowed"));
            Assert.That(hits["detail"]?.GetValue<string>(), Is.EqualTo("justification is 1001 characters long; at most 1000 are allowed"));
            Assert.That(evaluation["detail"]?.GetValue<string>(), Is.EqualTo("justification is 1001 characters long; at most 1000 are allowed"));
        });
    }

    private static IEnumerable<(string Path, System.CommandLine.Command Command)> Commands(System.CommandLine.Command command, string path)
    {
        yield return (path.Trim(), command);
        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Commands(sub, path + " " + sub.Name))
            {
                yield return leaf;
            }
        }
    }
}
