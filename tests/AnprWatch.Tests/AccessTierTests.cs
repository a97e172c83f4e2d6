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
            answers[$"{path} {NinetyOneDaysBack} justified"] = await Get($"{path}?from={NinetyOneDaysBack}&to=2026-10-01&justification=case%2042");
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
}
