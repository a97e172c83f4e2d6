namespace AnprWatch.Tests;

/// <summary>DESIGN §7: no plate in logs. Everything serve writes while processing a whole scenario is searched for its plates.</summary>
public class PrivacyTests
{
    [Test]
    public async Task Serve_logs_no_plate_while_processing_a_scenario()
    {
        using var cli = new CliRunner();
        var sim = cli.PathOf("sim");
        await cli.RunAsync("simulate", "--scenario", "railcar", "--out", sim, "--vehicles", "300", "--seed", "41");
        await GroundTruth.ImportMarkersAsync(cli, sim);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        File.Copy(Path.Combine(sim, "reads.jsonl"), Path.Combine(inbox, "scenario.jsonl"));
        File.SetLastWriteTimeUtc(Path.Combine(inbox, "scenario.jsonl"), DateTime.UtcNow.AddMinutes(-1));

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Logging:LogLevel:Default=Debug");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(Path.Combine(inbox, "done", "scenario.jsonl")))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), serve.Output);
            await Task.Delay(200);
        }

        await serve.TerminateAsync();
        await serve.WaitForExitAsync(60);
        var truth = await GroundTruth.ExpectedAsync(sim);
        Assert.That(truth, Is.Not.Empty);
        var log = serve.Output;
        Assert.That(log, Does.Contain("processed scenario.jsonl"), "the log was captured");
        foreach (var plate in truth.Select(h => h!["markerVrm"]!.GetValue<string>()).Concat(truth.Select(h => h!["vrm"]!.GetValue<string>())).Distinct())
        {
            Assert.That(log, Does.Not.Contain(plate));
        }
    }
}
