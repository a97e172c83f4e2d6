using System.Net;
using AnprWatch.Tests.Web;
using Microsoft.Extensions.Time.Testing;

namespace AnprWatch.Tests;

/// <summary>
/// The 90-day access tier (README): a hit list or report whose period starts more than 90 days ago is refused without
/// a justification, on the command line and through the API. The clock is fixed at 2026-09-30T23:30Z, which is
/// already 1 October in the UK (BST): the boundary must be counted in UK days, and it is written out here.
/// </summary>
public class AccessTierTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 30, 23, 30, 0, TimeSpan.Zero);

    /// <summary>Exactly 90 UK days before 2026-10-01, and one day more.</summary>
    private const string NinetyDaysBack = "2026-07-03";
    private const string NinetyOneDaysBack = "2026-07-02";

    [TestCase(NinetyDaysBack, null, 0)]
    [TestCase(NinetyOneDaysBack, null, 2)]
    [TestCase(NinetyOneDaysBack, "Op Railcar review", 0)]
    [TestCase("2026-10-01", null, 0)]
    public async Task Hits_list_needs_a_justification_only_for_a_period_starting_more_than_90_days_ago(string from, string? justification, int exitCode)
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        string[] args = ["hits", "list", "--from", from, "--to", "2026-10-01", .. justification is null ? Array.Empty<string>() : ["--justification", justification]];
        var result = await cli.RunAsync(args);
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.Err);
        if (exitCode == 2)
        {
            Assert.That(result.Err, Does.Contain("--justification"));
        }
    }

    [TestCase(NinetyDaysBack, null, 0)]
    [TestCase(NinetyOneDaysBack, null, 2)]
    [TestCase(NinetyOneDaysBack, "Op Railcar review", 0)]
    public async Task Report_evaluation_needs_a_justification_only_for_a_period_starting_more_than_90_days_ago(string from, string? justification, int exitCode)
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        string[] args = ["report", "evaluation", "--from", from, "--to", "2026-10-01", "--format", "json", "--out", cli.PathOf("r.json"), .. justification is null ? Array.Empty<string>() : ["--justification", justification]];
        var result = await cli.RunAsync(args);
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.Err);
    }

    [Test]
    public async Task A_justified_look_back_is_audited_with_its_reason()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        var allowed = await cli.RunAsync("hits", "list", "--from", "2026-01-01", "--to", "2026-01-31", "--justification", "Op Railcar review", "--user", "riu-1");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.Err);
        var audit = await cli.RunAsync("audit", "list", "--from", "2026-09-30", "--to", "2026-10-01", "--format", "csv");
        Assert.That(audit.Out, Does.Contain("riu-1,cli,consult").And.Contain("Op Railcar review"));
    }

    [Test]
    public async Task The_api_refuses_hits_and_reports_from_more_than_90_days_ago_without_a_justification()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var key = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, new FakeTimeProvider(Now));
        using var http = serve.CreateClient(key);

        async Task<HttpStatusCode> Get(string url)
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            return response.StatusCode;
        }

        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (var path in new[] { "/api/hits", "/api/reports/evaluation" })
        {
            answers[$"{path} {NinetyDaysBack}"] = await Get($"{path}?from={NinetyDaysBack}&to=2026-10-01");
            answers[$"{path} {NinetyOneDaysBack}"] = await Get($"{path}?from={NinetyOneDaysBack}&to=2026-10-01");
            answers[$"{path} {NinetyOneDaysBack} justified"] = await Get($"{path}?from={NinetyOneDaysBack}&to=2026-10-01&justification=case%2042%20review");
        }

        Assert.That(answers, Is.EqualTo(new Dictionary<string, HttpStatusCode>
        {
            ["/api/hits 2026-07-03"] = HttpStatusCode.OK,
            ["/api/hits 2026-07-02"] = HttpStatusCode.BadRequest,
            ["/api/hits 2026-07-02 justified"] = HttpStatusCode.OK,
            ["/api/reports/evaluation 2026-07-03"] = HttpStatusCode.OK,
            ["/api/reports/evaluation 2026-07-02"] = HttpStatusCode.BadRequest,
            ["/api/reports/evaluation 2026-07-02 justified"] = HttpStatusCode.OK,
        }));
    }

    [TestCase(NinetyOneDaysBack)]
    [TestCase(NinetyDaysBack)]
    public async Task A_justification_shorter_than_10_characters_is_refused_on_the_command_line_saying_what_is_needed(string from)
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        foreach (var args in new[]
        {
            new[] { "hits", "list", "--from", from, "--to", "2026-10-01", "--justification", "x" },
            ["hits", "list", "--from", from, "--to", "2026-10-01", "--justification", "  short  "],
            ["report", "evaluation", "--from", from, "--to", "2026-10-01", "--format", "json", "--out", cli.PathOf("r.json"), "--justification", "x"],
        })
        {
            var result = await cli.RunAsync(args);
            Assert.That(result.ExitCode, Is.EqualTo(2), string.Join(' ', args));
            Assert.That(result.Err, Does.Contain("at least 10 characters"), string.Join(' ', args));
        }

        var tenCharacters = await cli.RunAsync("hits", "list", "--from", NinetyOneDaysBack, "--to", "2026-10-01", "--justification", "SAR 2026/1");
        Assert.That(tenCharacters.ExitCode, Is.Zero, tenCharacters.Err);
    }

    [Test]
    public async Task The_api_refuses_a_justification_shorter_than_10_characters_saying_what_is_needed()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var key = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, new FakeTimeProvider(Now));
        using var http = serve.CreateClient(key);

        var answers = new Dictionary<string, string>();
        foreach (var url in new[]
        {
            $"/api/hits?from={NinetyOneDaysBack}&to=2026-10-01&justification=x",
            $"/api/reports/evaluation?from={NinetyOneDaysBack}&to=2026-10-01&justification=x",
            $"/api/hits?from={NinetyDaysBack}&to=2026-10-01&justification=x",
            $"/api/hits?from={NinetyOneDaysBack}&to=2026-10-01&justification=SAR%202026%2F1",
        })
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            answers[url] = $"{(int)response.StatusCode}{(body.Contains("at least 10 characters", StringComparison.Ordinal) ? " says 10 characters" : "")}";
        }

        Assert.That(answers, Is.EqualTo(new Dictionary<string, string>
        {
            ["/api/hits?from=2026-07-02&to=2026-10-01&justification=x"] = "400 says 10 characters",
            ["/api/reports/evaluation?from=2026-07-02&to=2026-10-01&justification=x"] = "400 says 10 characters",
            ["/api/hits?from=2026-07-03&to=2026-10-01&justification=x"] = "400 says 10 characters",
            ["/api/hits?from=2026-07-02&to=2026-10-01&justification=SAR%202026%2F1"] = "200",
        }));
    }

    /// <summary>
    /// The live alert view (control room) reaches back Alerting:BoardWindow (default 24 h) and no further, whatever
    /// <c>since</c> or <c>Last-Event-ID</c> asks for: older hits are the tier's business (<c>/api/hits</c>).
    /// </summary>
    [Test]
    public async Task Alerts_and_the_stream_replay_reach_back_only_the_board_window()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var key = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "desk")).Out.Trim();
        var old = await TestHits.StoreAsync(cli, "tier-old", observedAt: new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var yesterday = await TestHits.StoreAsync(cli, "tier-25h", observedAt: new DateTimeOffset(2026, 9, 29, 22, 30, 0, TimeSpan.Zero));
        var recent = await TestHits.StoreAsync(cli, "tier-23h", observedAt: new DateTimeOffset(2026, 9, 30, 0, 30, 0, TimeSpan.Zero));
        await using var serve = await InProcessServe.StartAsync(cli, new FakeTimeProvider(Now));
        using var http = serve.CreateClient(key);

        async Task<List<string>> Ids(string url)
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri(url, UriKind.Relative)))!.AsArray();
            return json.Select(n => n!["hitId"]!.GetValue<string>()).ToList();
        }

        Assert.That(await Ids("/api/alerts?since=2000-01-01T00:00:00Z"), Is.EqualTo(new[] { recent.HitId }));
        Assert.That(await Ids("/api/alerts"), Is.EqualTo(new[] { recent.HitId }));
        Assert.That(old.HitId, Is.Not.EqualTo(yesterday.HitId));

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/alerts/stream", UriKind.Relative));
        request.Headers.Add("Last-Event-ID", "0:");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.StartsWith("id: ", StringComparison.Ordinal))
        {
        }

        Assert.That(line, Is.Not.Null);
        Assert.That(line, Does.EndWith(":" + recent.HitId), "the first event replayed is the one inside the window");
    }

    [Test]
    public async Task Alerting_BoardWindow_sets_how_far_back_the_live_view_reaches()
    {
        using var cli = new CliRunner(clock: new FakeTimeProvider(Now));
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var key = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "desk")).Out.Trim();
        await TestHits.StoreAsync(cli, "window-3h", observedAt: new DateTimeOffset(2026, 9, 30, 20, 30, 0, TimeSpan.Zero));
        var recent = await TestHits.StoreAsync(cli, "window-1h", observedAt: new DateTimeOffset(2026, 9, 30, 22, 30, 0, TimeSpan.Zero));
        await using var serve = await InProcessServe.StartAsync(cli, new FakeTimeProvider(Now), "--Alerting:BoardWindow=02:00:00");
        using var http = serve.CreateClient(key);

        var json = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri("/api/alerts?since=2026-09-30T00:00:00Z", UriKind.Relative)))!.AsArray();
        Assert.That(json.Select(n => n!["hitId"]!.GetValue<string>()), Is.EqualTo(new[] { recent.HitId }));
    }
}
