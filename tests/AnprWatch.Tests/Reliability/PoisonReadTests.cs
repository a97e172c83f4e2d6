using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using AnprWatch.Tests.Kafka;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// Nothing stops the matching: each class of poison read is followed by a good read of a marked plate, and every good
/// read must still be stored and alerted, every poison read dead-lettered with its reason, and the process alive.
/// Tried through replay, serve's folder source and serve on Kafka. The expected reasons are a literal table here.
/// </summary>
public class PoisonReadTests
{
    private const string Marked = "PO15NED";
    private const string MarkerCsv = "vrm,suspect_ref,risk_level,host_force,review_due\nPO15NED,SR-POISON,HIGH,avon-and-somerset,2099-12-31\n";

    /// <summary>(what it is, the raw line, a phrase its dead letter's reason must contain).</summary>
    private static readonly (string Name, string Line, string Reason)[] Poisons =
    [
        ("lone surrogate in site", Read("p-1", Marked, "2026-11-01T10:00:00Z", ""","site":"\ud800" """), "'site' holds an escaped lone surrogate"),
        ("lone surrogate in readId", """{"readId":"\udfff","vrm":"PO15NED","cameraId":"CAM-P","forceCode":"dorset","observedAt":"2026-11-01T10:00:00Z"}""", "'readId' holds an escaped lone surrogate"),
        ("lone surrogate in an unknown field's name", Read("p-3", Marked, "2026-11-01T10:00:00Z", ""","\ud800x":1,"lane":"\udc00" """), "'lane' holds an escaped lone surrogate"),
        ("observedAt at the start of the calendar", Read("p-4", Marked, "0001-01-01T00:00:00Z"), "outside the accepted window"),
        ("observedAt at the end of the calendar", Read("p-5", Marked, "9999-12-31T23:59:59Z"), "outside the accepted window"),
        ("observedAt a year ahead", Read("p-6", Marked, DateTimeOffset.UtcNow.AddYears(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)), "outside the accepted window"),
        ("Cyrillic look-alike in the VRM", Read("p-7", "\u0420O15NED", "2026-11-01T10:00:00Z"), "U+0420"),
        ("escaped Cyrillic look-alike in the VRM", Read("p-8", "\\u0420O15NED", "2026-11-01T10:00:00Z"), "U+0420"),
        ("mathematical bold P (a surrogate pair) in the VRM", Read("p-16", "\U0001D40FO15NED", "2026-11-01T10:00:00Z"), "U+1D40F"),
        ("circled O in the VRM", Read("p-17", "P\u24C415NED", "2026-11-01T10:00:00Z"), "U+24C4"),
        ("combining accent in the VRM", Read("p-18", "PO15NE\u0301D", "2026-11-01T10:00:00Z"), "U+0301"),
        ("Devanagari danda (reads as I) in the VRM", Read("p-19", "A\u0964H05NTH", "2026-11-01T10:00:00Z"), "U+0964"),
        ("ideographic full stop (reads as O) in the VRM", Read("p-20", "P\u300215NED", "2026-11-01T10:00:00Z"), "U+3002"),
        ("escaped observedAt without an offset", Read("p-21", Marked, @"\u0054ue 2026-11-24 14:00:00"), "ISO-8601"),
        ("escaped observedAt in a lenient form", Read("p-22", Marked, @"2026-11-24 14:00:00\u005A"), "ISO-8601"),
        ("duplicate key", Read("p-9", Marked, "2026-11-01T10:00:00Z", ""","vrm":"XX11XXX" """), "appears more than once"),
        ("wrong type", """{"readId":"p-10","vrm":12345,"cameraId":"CAM-P","forceCode":"dorset","observedAt":"2026-11-01T10:00:00Z"}""", "'vrm' must be a string"),
        ("lane over its limit on a marked plate", Read("p-11", Marked, "2026-11-01T10:00:00Z", $$""","lane":"{{new string('L', 33)}}" """), "'lane' must be 0–32 characters"),
        ("number past double", Read("p-12", Marked, "2026-11-01T10:00:00Z", ""","lat":1e400"""), "'lat' must be between"),
        ("nesting past the limit", Read("p-13", Marked, "2026-11-01T10:00:00Z", $$""","vendor":{{new string('[', 40)}}{{new string(']', 40)}}"""), "not valid JSON"),
        ("NUL in the VRM", Read("p-14", "\\u0000", "2026-11-01T10:00:00Z"), "'vrm' must not contain control characters"),
        ("an escaped terminal sequence (ESC [2J: clear screen) in site", Read("p-23", Marked, "2026-11-01T10:00:00Z", ""","site":"A350\u001b[2J" """), "'site' must not contain control characters"),
        ("an escaped newline in direction", Read("p-24", Marked, "2026-11-01T10:00:00Z", ""","direction":"N\nforged log line" """), "'direction' must not contain control characters"),
        ("not UTF-8", "{\"readId\":\"p-15\",\"vrm\":\"PO15NED" + NotUtf8 + "\"}", "not valid UTF-8"),
    ];

    /// <summary>Stands for a byte 0xFF (never valid in UTF-8) in a poison line; <see cref="Bytes"/> puts it in.</summary>
    private const string NotUtf8 = "\uFFFF";

    private static byte[] Bytes(string line)
    {
        var parts = line.Split(NotUtf8);
        return [.. parts.SelectMany((p, i) => i == 0 ? Encoding.UTF8.GetBytes(p) : [0xFF, .. Encoding.UTF8.GetBytes(p)])];
    }

    private static string Read(string readId, string vrm, string observedAt, string extra = "")
        => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-P","forceCode":"dorset","observedAt":"{{observedAt}}"{{extra.TrimEnd()}}}""";

    /// <summary>Poison, good, poison, good…: good read i is 20 minutes after the last, so none is a suppressed repeat.</summary>
    private static (List<byte[]> Lines, List<string> GoodIds) Stream(DateTimeOffset start)
    {
        var lines = new List<byte[]>();
        var good = new List<string>();
        for (var i = 0; i < Poisons.Length; i++)
        {
            lines.Add(Bytes(Poisons[i].Line));
            var id = $"good-{i}";
            good.Add(id);
            lines.Add(Encoding.UTF8.GetBytes(Read(id, Marked, start.AddMinutes(20 * i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))));
        }

        return (lines, good);
    }

    private static async Task WriteLinesAsync(string path, IEnumerable<byte[]> lines)
    {
        await using var file = File.Create(path);
        foreach (var line in lines)
        {
            await file.WriteAsync(line);
            file.WriteByte((byte)'\n');
        }
    }

    /// <summary>Dead letters by line (1-based: poison i is line 2i+1) must carry the table's reason; nothing else is dead-lettered.</summary>
    private static void AssertDeadLetters(IReadOnlyList<JsonNode> deadLetters, Func<JsonNode, long> position, Func<int, long> expectedPosition)
    {
        Assert.That(deadLetters, Has.Count.EqualTo(Poisons.Length), string.Join("\n", deadLetters.Select(d => d.ToJsonString())));
        var byPosition = deadLetters.ToDictionary(position, d => d["reason"]!.GetValue<string>());
        Assert.Multiple(() =>
        {
            for (var i = 0; i < Poisons.Length; i++)
            {
                Assert.That(byPosition.TryGetValue(expectedPosition(i), out var reason), Is.True, $"{Poisons[i].Name}: no dead letter");
                Assert.That(reason, Does.Contain(Poisons[i].Reason), Poisons[i].Name);
            }
        });
    }

    private static async Task AssertGoodReadsStoredAndAlertedAsync(CliRunner cli, List<string> good)
    {
        var hits = await GroundTruth.StoredAsync(cli);
        Assert.That(hits.Select(h => h!["readId"]!.GetValue<string>()).Order(), Is.EqualTo(good.Order()), "exactly the good reads are hits");
        Assert.That(hits.Select(h => h!["alerted"]!.GetValue<bool>()), Has.All.True, "every good read is alerted");
    }

    [Test]
    public async Task Replay_dead_letters_every_poison_read_with_its_reason_and_alerts_every_good_read_after_it()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", MarkerCsv);
        var (lines, good) = Stream(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        var reads = cli.PathOf("poison.jsonl");
        await WriteLinesAsync(reads, lines);

        var replay = await cli.RunAsync("replay", reads);
        Assert.That(replay.ExitCode, Is.Zero, replay.Out + replay.Err);
        var deadLetters = (await File.ReadAllLinesAsync(cli.PathOf("poison.dlq.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        AssertDeadLetters(deadLetters, d => d["line"]!.GetValue<long>(), i => (2 * i) + 1);
        await AssertGoodReadsStoredAndAlertedAsync(cli, good);
        var alerts = await File.ReadAllLinesAsync(cli.PathOf("poison.alerts.jsonl"));
        Assert.That(alerts, Has.Length.EqualTo(2 * good.Count), "each good read alerts dorset and avon-and-somerset");
    }

    [Test]
    public async Task Serve_on_the_folder_source_survives_every_poison_read_and_alerts_every_good_read()
    {
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", MarkerCsv);
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        var (lines, good) = Stream(DateTimeOffset.UtcNow.AddDays(-1));
        await WriteLinesAsync(cli.PathOf("staging.jsonl"), lines);
        File.Move(cli.PathOf("staging.jsonl"), Path.Combine(inbox, "poison.jsonl"));
        File.SetLastWriteTimeUtc(Path.Combine(inbox, "poison.jsonl"), DateTime.UtcNow.AddMinutes(-1));

        await using var serve = ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}");
        var receipt = Path.Combine(inbox, "done", "poison.receipt.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(receipt))
        {
            Assert.That(clock.Elapsed < TimeSpan.FromSeconds(60) && !serve.HasExited, Is.True, "the file was not processed\n" + serve.Output);
            await Task.Delay(200);
        }

        Assert.That(serve.HasExited, Is.False, "serve is still running");
        using var client = serve.CreateClient();
        Assert.That((await client.GetAsync("/healthz")).IsSuccessStatusCode, Is.True);
        var deadLetters = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "poison.dlq.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        AssertDeadLetters(deadLetters, d => d["line"]!.GetValue<long>(), i => (2 * i) + 1);
        await AssertGoodReadsStoredAndAlertedAsync(cli, good);
        Assert.That(await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "poison.alerts.jsonl")), Has.Length.EqualTo(2 * good.Count));
    }

    [Test]
    public async Task Serve_on_kafka_survives_every_poison_read_commits_past_it_and_alerts_every_good_read()
    {
        var broker = await KafkaBroker.StartAsync();
        try
        {
            using var cli = new CliRunner();
            await cli.ImportCsvAsync("avon-and-somerset", MarkerCsv);
            var id = Guid.NewGuid().ToString("N")[..8];
            string[] args = [$"--Kafka:ReadsTopic=reads-{id}", $"--Kafka:AlertsTopic=alerts-{id}", $"--Kafka:DeadLetterTopic=dlq-{id}", $"--Kafka:GroupId=group-{id}"];
            await broker.CreateTopicAsync($"reads-{id}", 1);

            // One partition, so the good reads after each poison read are behind it in the same queue.
            var (lines, good) = Stream(DateTimeOffset.UtcNow.AddDays(-1));
            var keyed = cli.PathOf("poison.keyed");
            await WriteLinesAsync(keyed, lines.Select(l => (byte[])[.. "dorset\t"u8.ToArray(), .. l]));
            await broker.ProduceAsync($"reads-{id}", keyed);

            await using (var serve = ServeProcess.Start(cli, broker, args))
            {
                await HitCounts.WaitForAsync(cli, good.Count, 90);
                await Task.Delay(2000);
                Assert.That(serve.HasExited, Is.False, "serve is still running\n" + serve.Output);
                await serve.TerminateAsync();
                Assert.That(await serve.WaitForExitAsync(60), Is.Zero, serve.Output);
            }

            var deadLetters = (await broker.ConsumeAllAsync($"dlq-{id}")).Select(d => JsonNode.Parse(d.Value)!).ToList();
            AssertDeadLetters(deadLetters, d => d["offset"]!.GetValue<long>(), i => 2 * i);
            await AssertGoodReadsStoredAndAlertedAsync(cli, good);

            // The offsets were committed past every poison read: a restart processes nothing again.
            await using (var again = ServeProcess.Start(cli, broker, [.. args]))
            {
                Assert.That(await again.FinishTopicAsync(120), Is.Zero, again.Output);
            }

            Assert.That(await broker.ConsumeAllAsync($"dlq-{id}"), Has.Count.EqualTo(Poisons.Length), "no poison read was dead-lettered twice");
        }
        finally
        {
            await broker.StopAsync();
        }
    }
}
