using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests;

/// <summary>DESIGN §7: no plate in logs. Everything serve writes while processing a whole scenario is searched for its plates.</summary>
public class PrivacyTests
{
    [Test]
    public async Task Serve_logs_no_plate_while_processing_a_scenario()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 41, vehicles: 300);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        File.Copy(Path.Combine(sim, "reads.jsonl"), Path.Combine(inbox, "scenario.jsonl"));
        File.SetLastWriteTimeUtc(Path.Combine(inbox, "scenario.jsonl"), DateTime.UtcNow.AddMinutes(-1));

        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}", "--Logging:LogLevel:Default=Debug");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(Path.Combine(inbox, "done", "scenario.receipt.json")))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), serve.Output);
            await Task.Delay(200);
        }

        await serve.TerminateAsync();
        await serve.WaitForExitAsync(60);
        var truth = await GroundTruth.ExpectedAsync(sim);
        Assert.That(truth, Is.Not.Empty);
        var log = serve.Output;
        Assert.That(log, Does.Contain("processed scenario"), "the log was captured");
        foreach (var plate in truth.Select(h => h!["markerVrm"]!.GetValue<string>()).Concat(truth.Select(h => h!["vrm"]!.GetValue<string>())).Distinct())
        {
            Assert.That(log, Does.Not.Contain(plate));
        }
    }

    [Test]
    public async Task Reads_that_hit_nothing_leave_no_trace_in_the_store_or_on_disk()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 43, vehicles: 400);
        var replay = await cli.RunAsync("replay", Path.Combine(sim, "reads.jsonl"), "--alerts", cli.PathOf("alerts.jsonl"));
        Assert.That(replay.ExitCode, Is.Zero, replay.Err);

        // Plates the store may hold: the markers' and the hits'. Every other well-formed read hit nothing.
        var truth = await GroundTruth.ExpectedAsync(sim);
        var known = new HashSet<string>(truth.Select(h => h!["vrm"]!.GetValue<string>()).Concat(truth.Select(h => h!["markerVrm"]!.GetValue<string>())), StringComparer.Ordinal);
        foreach (var csv in Directory.GetFiles(Path.Combine(sim, "markers")))
        {
            known.UnionWith(File.ReadLines(csv).Skip(1).Select(l => l.Split(',')[0]));
        }

        var missed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(sim, "reads.jsonl")))
        {
            try
            {
                var plate = System.Text.Json.Nodes.JsonNode.Parse(line)?["vrm"]?.GetValue<string>().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
                if (plate is { Length: >= 6 } && !known.Contains(plate))
                {
                    missed.Add(plate); // long enough not to occur by chance in binary pages
                }
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
                // A malformed read is a dead letter, kept whole so it can be corrected and replayed; not a miss.
            }
        }

        Assert.That(missed, Has.Count.GreaterThan(300), "the scenario has plenty of ordinary traffic");
        SqliteConnection.ClearAllPools();
        var written = Directory.GetFiles(cli.Directory, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(sim + Path.DirectorySeparatorChar, StringComparison.Ordinal)).ToList();
        Assert.That(written.Select(Path.GetFileName), Does.Contain("anprwatch.db").And.Contain("alerts.jsonl"));
        var found = new List<string>();
        foreach (var file in written.Where(f => !f.EndsWith(".dlq.jsonl", StringComparison.Ordinal)))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            found.AddRange(missed.Where(p => bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(p)) >= 0).Select(p => $"{Path.GetFileName(file)}: {p}"));
        }

        Assert.That(found, Is.Empty);
    }
}
