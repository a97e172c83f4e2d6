using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AnprWatch.Tests.Kafka;
using AnprWatch.Tests.Reports;

namespace AnprWatch.Tests;

/// <summary>
/// A plain <c>dotnet publish src/AnprWatch -c Release</c> (no npm, no other step) is the whole app: its own
/// executable runs every command, and the HTML evaluation report it writes carries its charts as SVG whose bar labels
/// are the figures of the JSON report for the same period.
/// </summary>
[NonParallelizable]
public class PublishTests
{
    private string _directory = null!;
    private string _app = null!;
    private string _database = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        _directory = Directory.CreateTempSubdirectory("anprwatch-publish-").FullName;
        var output = Path.Combine(_directory, "app");
        var project = Path.Combine(KafkaBroker.RepositoryRoot, "src", "AnprWatch", "AnprWatch.csproj");
        var publish = await RunAsync("dotnet", TimeSpan.FromMinutes(8), "publish", project, "-c", "Release", "-o", output, "-nologo", "-v", "quiet");
        Assert.That(publish.ExitCode, Is.Zero, publish.Out + publish.Err);
        _app = Path.Combine(output, "anprwatch");
        _database = Path.Combine(_directory, "anprwatch.db");
        Assert.That(File.Exists(_app), Is.True, "the publish has its own executable");
    }

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private static async Task<CliResult> RunAsync(string file, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in TestClock.ChildEnvironment())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    private async Task<CliResult> AppAsync(params string[] args)
    {
        var result = await RunAsync(_app, TimeSpan.FromMinutes(3), [.. args, $"--Storage:ConnectionString=Data Source={_database}"]);
        Assert.That(result.ExitCode, Is.Zero, $"anprwatch {string.Join(' ', args)}:\n{result.Err}");
        return result;
    }

    [Test]
    public async Task The_published_app_runs_every_command_and_writes_the_html_report_with_svg_charts()
    {
        var sim = Path.Combine(_directory, "sim");
        var period = new[] { "--from", "2026-05-01", "--to", "2026-10-31", "--justification", "publish test" };
        await AppAsync("config", "check");
        await AppAsync("db", "migrate");
        await AppAsync("simulate", "--scenario", "railcar", "--out", sim, "--seed", "7", "--vehicles", "400");
        foreach (var csv in Directory.GetFiles(Path.Combine(sim, "markers"), "*.csv"))
        {
            await AppAsync("markers", "import", csv, "--force", Path.GetFileNameWithoutExtension(csv));
        }

        await AppAsync("replay", Path.Combine(sim, "reads.jsonl"));
        await AppAsync("markers", "list", "--format", "csv");
        await AppAsync("markers", "review-due", "--format", "csv");
        await AppAsync("markers", "history", "--force", "avon-and-somerset", "--format", "csv");
        await AppAsync(["hits", "list", .. period]);
        var key = (await AppAsync("keys", "create", "--role", "analyst", "--name", "publish-test")).Out.Trim();
        Assert.That(key, Is.Not.Empty);
        await AppAsync("keys", "revoke", "--name", "publish-test");

        var html = Path.Combine(_directory, "evaluation.html");
        var json = Path.Combine(_directory, "evaluation.json");
        await AppAsync(["report", "evaluation", .. period, "--format", "html", "--out", html]);
        await AppAsync(["report", "evaluation", .. period, "--format", "json", "--out", json]);
        await AppAsync(["report", "evaluation", .. period, "--format", "csv", "--out", Path.Combine(_directory, "evaluation.csv")]);
        await AppAsync("audit", "list", "--from", TestClock.Iso(TestClock.UkToday.AddDays(-1)), "--to", TestClock.Iso(TestClock.UkToday.AddDays(1)));

        var report = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        (await ReportCharts.ReadAsync(html)).AssertMatches(report);
    }

    [Test]
    public async Task The_published_app_serves_its_health_endpoint()
    {
        await AppAsync("db", "migrate");
        var port = KafkaBroker.FreePort();
        var start = new ProcessStartInfo(_app) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "serve", "--Source:Kind=none", $"--Http:Urls=http://127.0.0.1:{port}", $"--Storage:ConnectionString=Data Source={_database}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(3) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpResponseMessage? health = null;
            while (DateTime.UtcNow < deadline && health is null)
            {
                Assert.That(process.HasExited, Is.False, "serve exited early: " + (process.HasExited ? await process.StandardError.ReadToEndAsync() : ""));
                try
                {
                    health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200);
                }
            }

            Assert.That(health?.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await health!.Content.ReadAsStringAsync(), Is.EqualTo("ok"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
