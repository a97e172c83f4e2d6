using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// `anprwatch serve` against a real Apache Kafka 0.9 broker, fed by kcat (a second client): ground truth, crash
/// recovery, scale-out, hot reload and a store outage. Each test has its own topics and consumer group.
/// </summary>
[NonParallelizable]
public class KafkaWorkerTests
{
    private KafkaBroker _broker = null!;

    [OneTimeSetUp]
    public async Task StartBroker() => _broker = await KafkaBroker.StartAsync();

    [OneTimeTearDown]
    public async Task StopBroker()
    {
        if (_broker is not null)
        {
            await _broker.StopAsync();
        }
    }

    private sealed record Topics(string Reads, string Alerts, string DeadLetters, string Group)
    {
        public string[] Args => [$"--Kafka:ReadsTopic={Reads}", $"--Kafka:AlertsTopic={Alerts}", $"--Kafka:DeadLetterTopic={DeadLetters}", $"--Kafka:GroupId={Group}"];
    }

    private async Task<Topics> TopicsAsync(int partitions = 6)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var topics = new Topics($"reads-{id}", $"alerts-{id}", $"dlq-{id}", $"group-{id}");
        await _broker.CreateTopicAsync(topics.Reads, partitions);
        return topics;
    }

    [Test]
    public async Task A_scenario_produced_by_kcat_gives_exactly_the_ground_truth_with_alerts_and_dead_letters()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 11, vehicles: 2000);
        var topics = await TopicsAsync();
        await _broker.ProduceAsync(topics.Reads, await KafkaBroker.KeyedReadsAsync(sim));

        await using var serve = ServeProcess.Start(cli, _broker, [.. topics.Args]);
        Assert.That(await serve.FinishTopicAsync(), Is.Zero, serve.Output);

        // The worker ran on the bundled librdkafka, not Debian's (librdkafka-dev may be installed), and said so.
        Assert.That(serve.Output, Does.Match(@"librdkafka \d+\.\d+\.\d+\S* loaded from \S*/runtimes/linux-x64/native/"));

        var expected = await GroundTruth.ExpectedAsync(sim);
        Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));

        // §4.3: every alerted hit twice, keyed by the camera force and by the host force, one alertId, routedTo = key.
        var alerts = await _broker.ConsumeAllAsync(topics.Alerts);
        Assert.That(alerts, Has.Count.EqualTo(GroundTruth.ExpectedAlertMessages(expected)));
        var messages = alerts.Select(a => (a.Key, Json: JsonNode.Parse(a.Value)!)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(messages.Select(m => m.Json["routedTo"]!.GetValue<string>()), Is.EqualTo(messages.Select(m => m.Key)));
            Assert.That(messages.GroupBy(m => (m.Json["alertId"]!.GetValue<string>(), GroundTruth.IsConfirmation(m.Json))).Select(g => g.Count()), Has.All.EqualTo(2));
            Assert.That(messages.Select(m => m.Json["cameraForce"]!["region"]), Has.All.Not.Null);
        });

        // Malformed reads go to the dead-letter topic with a reason; the partition carries on.
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!;
        var deadLetters = (await _broker.ConsumeAllAsync(topics.DeadLetters)).Select(d => JsonNode.Parse(d.Value)!).ToList();
        Assert.That(deadLetters, Has.Count.EqualTo(scenario["malformed"]!.AsArray().Count));
        Assert.That(deadLetters.Select(d => d["reason"]!.GetValue<string>()), Has.All.Not.Empty);
    }

    [Test]
    public async Task Killed_with_sigkill_part_way_and_restarted_no_hit_is_lost_or_duplicated()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 12, vehicles: 15000);
        var expected = await GroundTruth.ExpectedAsync(sim);
        var topics = await TopicsAsync();
        await _broker.ProduceAsync(topics.Reads, await KafkaBroker.KeyedReadsAsync(sim));

        await using (var first = ServeProcess.Start(cli, _broker, [.. topics.Args, "--Kafka:BatchSize=100"]))
        {
            await HitCounts.WaitForAsync(cli, expected.Count / 4, 120);
            first.Kill();
            await first.WaitForExitAsync();
        }

        var partial = await HitCounts.CountAsync(cli);
        Assert.That(partial, Is.LessThan(expected.Count), "the kill must land part-way through the stream");

        await using var second = ServeProcess.Start(cli, _broker, [.. topics.Args]);
        Assert.That(await second.FinishTopicAsync(), Is.Zero, second.Output);
        Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));
    }

    [Test]
    public async Task Three_instances_share_six_partitions_and_store_the_same_hits_then_drain_on_sigterm()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 13, vehicles: 3000);
        var expected = await GroundTruth.ExpectedAsync(sim);
        var topics = await TopicsAsync();

        var instances = Enumerable.Range(0, 3).Select(_ => ServeProcess.Start(cli, _broker, topics.Args)).ToList();
        try
        {
            // Produce only once the group has settled, each instance holding two partitions.
            foreach (var instance in instances)
            {
                await instance.WaitReadyAsync(body => body.Contains("kafka: 2 partitions", StringComparison.Ordinal), 90);
            }

            await _broker.ProduceAsync(topics.Reads, await KafkaBroker.KeyedReadsAsync(sim));
            await HitCounts.WaitForAsync(cli, expected.Count, 120);
            await Task.Delay(1000); // nothing more must arrive
            Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));

            foreach (var instance in instances)
            {
                await instance.TerminateAsync();
            }

            foreach (var instance in instances)
            {
                Assert.That(await instance.WaitForExitAsync(60), Is.Zero, instance.Output);
                Assert.That(instance.Output, Does.Contain("pipeline stopped"));
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static string Read(string readId, string vrm, string force, DateTimeOffset at)
        => $$"""{{force}}	{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-1","forceCode":"{{force}}","observedAt":"{{at:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""";

    private async Task ProduceLinesAsync(CliRunner cli, string topic, params string[] lines)
    {
        var path = cli.PathOf($"produce-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(path, lines);
        await _broker.ProduceAsync(topic, path);
    }

    [Test]
    public async Task A_marker_import_while_serve_runs_takes_effect_within_ten_seconds()
    {
        using var cli = new CliRunner();
        var topics = await TopicsAsync(partitions: 1);
        await using var serve = ServeProcess.Start(cli, _broker, topics.Args);
        await serve.WaitReadyAsync();

        var now = TestClock.UtcNow;
        await ProduceLinesAsync(cli, topics.Reads, Read("before-1", "HR12ABC", "wiltshire", now));
        var csv = cli.PathOf("markers.csv");
        await File.WriteAllTextAsync(csv, "vrm,suspect_ref,risk_level,host_force,review_due\nHR12ABC,SR-HOT,HIGH,avon-and-somerset,2027-12-31\n");
        var clock = Stopwatch.StartNew();
        Assert.That((await cli.RunAsync("markers", "import", csv, "--force", "avon-and-somerset")).ExitCode, Is.Zero);

        // Keep reading the plate until the new list is live; the first hit must come within 10 s of the import.
        var n = 0;
        while (await HitCounts.CountAsync(cli) == 0)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the new marker list was not live within 10 s\n" + serve.Output);
            await ProduceLinesAsync(cli, topics.Reads, Read($"after-{++n}", "HR12ABC", "wiltshire", TestClock.UtcNow));
            await Task.Delay(300);
        }

        var hits = await GroundTruth.StoredAsync(cli);
        Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()), Has.None.EqualTo("before-1"), "a read matched before its marker existed");
        Assert.That(hits.Select(h => h!["suspectRef"]!.GetValue<string>()), Has.All.EqualTo("SR-HOT"));
    }

    [Test]
    public async Task A_live_read_older_than_max_read_age_is_stored_but_not_alerted_and_a_fresh_one_is_alerted()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nST12ALE,SR-STALE,HIGH,avon-and-somerset,2099-12-31\n");
        var topics = await TopicsAsync(partitions: 1);
        // The production default, 30 minutes (the other serve tests stretch it to ten years for months-old simulated reads).
        await using var serve = ServeProcess.Start(cli, _broker, [.. topics.Args, "--Alerting:MaxReadAge=00:30:00"]);
        await serve.WaitReadyAsync();

        var now = TestClock.UtcNow;
        await ProduceLinesAsync(cli, topics.Reads, Read("stale-1", "ST12ALE", "dorset", now.AddHours(-2)), Read("fresh-1", "ST12ALE", "wiltshire", now.AddMinutes(-1)));
        await HitCounts.WaitForAsync(cli, 2, 60);

        var hits = (await GroundTruth.StoredAsync(cli)).ToDictionary(h => h!["readId"]!.GetValue<string>(), h => (h!["alerted"]!.GetValue<bool>(), h["notAlertedReason"]?.GetValue<string>()));
        Assert.That(hits, Is.EqualTo(new Dictionary<string, (bool, string?)> { ["stale-1"] = (false, "stale"), ["fresh-1"] = (true, null) }));
    }

    [Test]
    public async Task A_store_outage_pauses_consumption_and_loses_nothing()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", "vrm,suspect_ref,risk_level,host_force,review_due\nOU12TAG,SR-OUT,HIGH,avon-and-somerset,2027-12-31\n");
        var topics = await TopicsAsync(partitions: 2);
        await using var serve = ServeProcess.Start(cli, _broker, topics.Args);
        await serve.WaitReadyAsync();

        // Another process holds the database's write lock for 20 s: every write the worker tries fails.
        await using var blocker = new SqliteConnection($"Data Source={cli.Database};Pooling=false");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        var start = TestClock.UtcNow;
        var lines = Enumerable.Range(0, 40).Select(i => Read($"outage-{i}", "OU12TAG", i % 2 == 0 ? "wiltshire" : "dorset", start.AddMinutes(i * 20))).ToArray();
        await ProduceLinesAsync(cli, topics.Reads, lines);
        await Task.Delay(TimeSpan.FromSeconds(20));
        Assert.That(await HitCounts.CountAsync(cli), Is.Zero, "nothing can be stored while the store is locked");

        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        await HitCounts.WaitForAsync(cli, 40, 60);
        Assert.That(serve.Output, Does.Contain("retrying"), "the worker retried against the locked store");
        var hits = await GroundTruth.StoredAsync(cli);
        Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(lines.Select((_, i) => $"outage-{i}").Order()));
    }
}
