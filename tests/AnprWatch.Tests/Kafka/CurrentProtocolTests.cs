using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// serve on a current-protocol Kafka (librdkafka's mock cluster) with the production settings of the README: no 0.9
/// compatibility properties, an idempotent producer and cooperative-sticky assignment, none of which the 0.9 test
/// broker supports. The 0.9 broker stays for the process-level faults (it is a real broker that can be killed).
/// </summary>
[NonParallelizable]
public class CurrentProtocolTests
{
    private static readonly string[] ProductionSettings =
    [
        "--Kafka:ProducerProperties:enable.idempotence=true",
        "--Kafka:ConsumerProperties:partition.assignment.strategy=cooperative-sticky",
    ];

    private MockKafkaCluster _cluster = null!;

    [OneTimeSetUp]
    public void StartCluster() => _cluster = MockKafkaCluster.Start();

    [OneTimeTearDown]
    public void StopCluster() => _cluster?.Dispose();

    [Test]
    public async Task Production_settings_on_a_current_broker_give_exactly_the_ground_truth_with_alerts_and_dead_letters()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 21, vehicles: 2000);
        var id = Guid.NewGuid().ToString("N")[..8];
        string[] topics = [$"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}"];
        await _cluster.ProduceAsync($"reads-{id}", await KafkaBroker.KeyedReadsAsync(sim));

        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={_cluster.Bootstrap}", .. ProductionSettings, .. topics]);
        Assert.That(await serve.FinishTopicAsync(), Is.Zero, serve.Output);

        var expected = await GroundTruth.ExpectedAsync(sim);
        Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));

        // §4.3: every alerted hit twice (camera force, host force), one alertId, routedTo = key; same checks as on 0.9.
        var alerts = (await _cluster.ConsumeWithHeadersAsync($"alerts-{id}")).Select(a => (a.Key, a.Headers, Json: JsonNode.Parse(a.Value)!)).ToList();
        Assert.That(alerts, Has.Count.EqualTo(GroundTruth.ExpectedAlertMessages(expected)));
        Assert.Multiple(() =>
        {
            Assert.That(alerts.Select(m => m.Json["routedTo"]!.GetValue<string>()), Is.EqualTo(alerts.Select(m => m.Key)));
            Assert.That(alerts.GroupBy(m => (m.Json["alertId"]!.GetValue<string>(), GroundTruth.IsConfirmation(m.Json))).Select(g => g.Count()), Has.All.EqualTo(2));

            // A current broker takes headers: each copy names its alert, the message schema and the priority.
            Assert.That(alerts.Select(m => m.Headers), Is.EqualTo(alerts.Select(m =>
                $"alertId={m.Json["alertId"]!.GetValue<string>()},schemaVersion=1,priority={m.Json["priority"]!.GetValue<string>()}")));
        });

        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sim, "scenario.json")))!;
        var deadLetters = (await _cluster.ConsumeAllAsync($"dlq-{id}")).Select(d => JsonNode.Parse(d.Value)!).ToList();
        Assert.That(deadLetters, Has.Count.EqualTo(scenario["malformed"]!.AsArray().Count));
        Assert.That(deadLetters.Select(d => d["reason"]!.GetValue<string>()), Has.All.Not.Empty);
    }

    [Test]
    public async Task A_second_instance_joining_mid_stream_takes_half_the_partitions_cooperatively_and_nothing_is_lost()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 22, vehicles: 1500);
        var expected = await GroundTruth.ExpectedAsync(sim);
        var id = Guid.NewGuid().ToString("N")[..8];
        string[] args = ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={_cluster.Bootstrap}", .. ProductionSettings,
            $"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}"];
        var (firstHalf, secondHalf) = await HalvesAsync(await KafkaBroker.KeyedReadsAsync(sim));

        // One instance consumes the first half; a second joins: cooperative-sticky moves two of the four partitions to
        // it incrementally (the first commits what it made durable on the partitions it gives up); both read the rest.
        await _cluster.ProduceAsync($"reads-{id}", firstHalf);
        await using var first = ServeProcess.StartWith(cli, args);
        await HitCounts.WaitForAsync(cli, 1, 60);
        await using var second = ServeProcess.StartWith(cli, args);
        foreach (var instance in new[] { first, second })
        {
            await instance.WaitReadyAsync(body => body.Contains("kafka: 2 partitions", StringComparison.Ordinal), 90);
        }

        await _cluster.ProduceAsync($"reads-{id}", secondHalf);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await HitCounts.CountAsync(cli) is var stored && stored < expected.Count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{stored} of {expected.Count} hits\n--- first:\n{first.Output}\n--- second:\n{second.Output}");
            await Task.Delay(250);
        }

        await Task.Delay(1000); // nothing more must arrive
        Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));

        foreach (var instance in new[] { first, second })
        {
            await instance.TerminateAsync();
            Assert.That(await instance.WaitForExitAsync(60), Is.Zero, instance.Output);
            Assert.That(instance.Output, Does.Contain("pipeline stopped"), instance.Output);
        }
    }

    [Test]
    public async Task A_store_outage_longer_than_the_poll_interval_drops_the_instance_from_the_group_and_on_recovery_nothing_is_lost()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 23, vehicles: 1500);
        var expected = await GroundTruth.ExpectedAsync(sim);
        var id = Guid.NewGuid().ToString("N")[..8];
        var (firstHalf, secondHalf) = await HalvesAsync(await KafkaBroker.KeyedReadsAsync(sim));
        await _cluster.ProduceAsync($"reads-{id}", firstHalf);

        // A poll interval of 6 s, so an outage of 15 s is longer than librdkafka lets a member go without polling; small
        // batches, so the reads produced during the outage fill the prefetch queue and the consume thread stops polling.
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={_cluster.Bootstrap}", .. ProductionSettings,
            "--Kafka:ConsumerProperties:max.poll.interval.ms=6000", "--Kafka:ConsumerProperties:session.timeout.ms=6000", "--Kafka:BatchSize=200",
            $"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}"]);
        await HitCounts.WaitForAsync(cli, 1, 60);

        await using (var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={cli.Database};Pooling=false"))
        {
            await blocker.OpenAsync();
            await using var command = blocker.CreateCommand();
            command.CommandText = "BEGIN EXCLUSIVE";
            await command.ExecuteNonQueryAsync();
            await _cluster.ProduceAsync($"reads-{id}", secondHalf); // the feed carries on during the outage
            await Task.Delay(TimeSpan.FromSeconds(15));
            command.CommandText = "ROLLBACK";
            await command.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await HitCounts.CountAsync(cli) is var stored && stored < expected.Count)
        {
            Assert.That(DateTime.UtcNow < deadline && !serve.HasExited, Is.True, $"{stored} of {expected.Count} hits\n{serve.Output}");
            await Task.Delay(250);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(serve.Output, Does.Contain("maximum poll interval"), "the outage did not outlast the poll interval: the test proved nothing");
            Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));
            Assert.That(serve.HasExited, Is.False, serve.Output);
        });

        // Every alerted hit reached the topic at least once per route (a re-processed batch re-sends with the same alertId).
        var alerted = (await _cluster.ConsumeAllAsync($"alerts-{id}")).Select(a => JsonNode.Parse(a.Value)!).Select(a => $"{a["readId"]}|{a["markerVrm"]}").ToHashSet();
        Assert.That(alerted, Is.SupersetOf(expected.Where(h => h!["alerted"]!.GetValue<bool>()).Select(h => $"{h!["readId"]}|{h["markerVrm"]}").ToHashSet()));
    }

    /// <summary>
    /// A broker that answers too late, on the production settings: every mock broker delays its responses past the
    /// producer's request timeout while reads arrive, so serve's alert requests are appended, time out and are
    /// retried. Nothing may be lost and no new alert may appear; a retried request can still land twice even with the
    /// idempotent producer (measured here: 0 to 47 extra messages a run; librdkafka resets its sequence after request
    /// time-outs), so DESIGN §4.3's promise is the one checked: every extra message is a byte-identical copy of an alert
    /// already on the topic, for the same force, which consumers drop by alertId (the board does).
    /// The oracle is the simulator's ground truth.
    /// </summary>
    [Test]
    public async Task A_broker_answering_too_late_mid_stream_loses_no_alert_and_every_extra_message_is_a_copy()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 24, vehicles: 1500);
        var expected = await GroundTruth.ExpectedAsync(sim);
        var id = Guid.NewGuid().ToString("N")[..8];
        var (firstHalf, secondHalf) = await HalvesAsync(await KafkaBroker.KeyedReadsAsync(sim));
        await _cluster.ProduceAsync($"reads-{id}", firstHalf);
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={_cluster.Bootstrap}", .. ProductionSettings,
            $"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}",
            "--Kafka:ProducerProperties:request.timeout.ms=1000", "--Kafka:ProducerProperties:socket.timeout.ms=1000"]);
        await HitCounts.WaitForAsync(cli, 1, 60);

        try
        {
            _cluster.SetRoundTripTime(TimeSpan.FromSeconds(3));
            var producing = _cluster.ProduceAsync($"reads-{id}", secondHalf);
            await Task.Delay(TimeSpan.FromSeconds(8));
            _cluster.SetRoundTripTime(TimeSpan.Zero);
            await producing;
        }
        finally
        {
            _cluster.SetRoundTripTime(TimeSpan.Zero);
        }

        Assert.That(await serve.FinishTopicAsync(), Is.Zero, serve.Output);
        Assert.That(GroundTruth.Keys(await GroundTruth.StoredAsync(cli)), Is.EqualTo(GroundTruth.Keys(expected)));

        // Distinct messages (key + bytes) are exactly what one clean delivery gives; the rest are copies of them.
        var messages = await _cluster.ConsumeAllAsync($"alerts-{id}");
        var distinct = messages.Distinct().ToList();
        TestContext.Progress.WriteLine($"slow-broker window: {messages.Count} alert messages, {messages.Count - distinct.Count} of them copies of another");
        Assert.That(distinct, Has.Count.EqualTo(GroundTruth.ExpectedAlertMessages(expected)), "an alert was lost, or a re-delivered read made a new one");
        var json = distinct.Select(m => (m.Key, Json: JsonNode.Parse(m.Value)!)).ToList();
        Assert.That(json.Select(m => m.Json["routedTo"]!.GetValue<string>()), Is.EqualTo(json.Select(m => m.Key)));
        Assert.That(json.GroupBy(m => (m.Json["alertId"]!.GetValue<string>(), GroundTruth.IsConfirmation(m.Json))).Select(g => g.Count()), Has.All.EqualTo(2));
        Assert.That(json.Where(m => !GroundTruth.IsConfirmation(m.Json)).Select(m => m.Json["alertId"]!.GetValue<string>()).Distinct().Count(),
            Is.EqualTo(expected.Count(h => h!["alerted"]!.GetValue<bool>())));
    }

    /// <summary>The keyed reads split in two files, in order: each force's reads stay in sequence across the halves.</summary>
    private static async Task<(string First, string Second)> HalvesAsync(string keyedFile)
    {
        var lines = await File.ReadAllLinesAsync(keyedFile);
        var (first, second) = (keyedFile + ".1", keyedFile + ".2");
        await File.WriteAllLinesAsync(first, lines.Take(lines.Length / 2));
        await File.WriteAllLinesAsync(second, lines.Skip(lines.Length / 2));
        return (first, second);
    }

    [Test]
    public async Task Alert_headers_can_be_turned_off()
    {
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 23, vehicles: 300);
        var id = Guid.NewGuid().ToString("N")[..8];
        await _cluster.ProduceAsync($"reads-{id}", await KafkaBroker.KeyedReadsAsync(sim));
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={_cluster.Bootstrap}", .. ProductionSettings,
            $"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}",
            "--Kafka:AlertHeaders=false"]);
        Assert.That(await serve.FinishTopicAsync(), Is.Zero, serve.Output);

        var alerts = await _cluster.ConsumeWithHeadersAsync($"alerts-{id}");
        Assert.That(alerts, Is.Not.Empty, "the scenario alerts, so there were messages to carry headers");
        Assert.That(alerts.Select(a => a.Headers), Has.All.Empty);
    }

    /// <summary>Unset, headers follow what the client is told of the broker: only a pre-0.11 fallback turns them off.</summary>
    [TestCase(null, null, null, true)]
    [TestCase("false", "0.9.0.1", null, false)]
    [TestCase("false", "0.10.2", null, false)]
    [TestCase("false", "0.11.0", null, true)]
    [TestCase("false", "2.8.0", null, true)]
    [TestCase("true", "0.9.0.1", null, true)]
    [TestCase("false", "0.9.0.1", true, true)]
    [TestCase(null, null, false, false)]
    public void Alert_headers_follow_the_brokers_version_unless_set(string? versionRequest, string? fallback, bool? setting, bool sends)
    {
        var options = new AnprWatch.Kafka.KafkaOptions { AlertHeaders = setting };
        if (versionRequest is not null)
        {
            options.Properties["api.version.request"] = versionRequest;
        }

        if (fallback is not null)
        {
            options.Properties["broker.version.fallback"] = fallback;
        }

        Assert.That(options.SendsAlertHeaders, Is.EqualTo(sends));
    }
}
