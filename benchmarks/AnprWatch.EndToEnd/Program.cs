using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AnprWatch.EndToEnd;
using AnprWatch.Kafka;
using Confluent.Kafka;

// The end-to-end benchmark (issue 3): one run, one broker, three measurements.
//   1. throughput: kcat's raw consume of a >= 2M-read topic vs serve's consume -> match -> store -> commit of it;
//   2. read -> alert latency at a steady rate (default 5,000 reads/s);
//   3. resident memory of serve with 1,000,000 markers loaded (and the time to import them).
// The benchmark's own alert consumer and read producer use the same bundled librdkafka as serve.
// `board` as the first argument runs the board benchmark instead (BoardBenchmark; ./build.sh bench-board).
BundledLibrdkafka.Pin();
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var vehicles = Option("vehicles", 200_000);
var rate = Option("rate", 5000);
var seconds = Option("seconds", 30);
var memoryMarkers = Option("markers", 1_000_000);

var work = Directory.CreateTempSubdirectory("anprwatch-e2e-").FullName;
var brokerDir = Path.Combine(work, "broker");
var port = Tools.FreePort();
var bootstrap = $"127.0.0.1:{port}";
await Tools.RunAsync(Tools.Broker, "install");
await Tools.RunAsync(Tools.Broker, "start", brokerDir, Tools.FreePort().ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture));
var results = new List<string>();
try
{
    if (mode == "board")
    {
        results.AddRange(await BoardBenchmark.RunAsync(Option, work, brokerDir, bootstrap));
        Console.WriteLine();
        results.ForEach(Console.WriteLine);
        return;
    }

    // ---- 1. throughput -------------------------------------------------------------------------------------
    var sim = Path.Combine(work, "sim");
    Console.WriteLine($"simulating {Tools.N(vehicles)} vehicles …");
    await Tools.AppAsync("simulate", "--scenario", "railcar", "--out", sim, "--vehicles", vehicles.ToString(CultureInfo.InvariantCulture));
    // Each build compared gets its own markers-only store, made by itself (an earlier build refuses a newer schema).
    var builds = new List<(string Label, string App)> { ("current", Tools.CurrentApp) };
    if (Tools.BeforeApp is { } beforeApp)
    {
        builds.Add(("before", beforeApp));
    }

    foreach (var (label, app) in builds)
    {
        Tools.Use(app);
        var db = Path.Combine(work, $"throughput-{label}.db.template");
        await Tools.AppAsync("db", "migrate", $"--Storage:ConnectionString=Data Source={db}"); // no command creates a store by itself
        foreach (var csv in Directory.GetFiles(Path.Combine(sim, "markers")))
        {
            await Tools.AppAsync("markers", "import", csv, "--force", Path.GetFileNameWithoutExtension(csv), $"--Storage:ConnectionString=Data Source={db}");
        }
    }

    var keyed = Path.Combine(work, "keyed.txt");
    var lines = 0L;
    await using (var writer = new StreamWriter(keyed, false, new UTF8Encoding(false)))
    {
        foreach (var line in File.ReadLines(Path.Combine(sim, "reads.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var at = line.IndexOf("\"forceCode\":\"", StringComparison.Ordinal);
            var key = at < 0 ? "unknown" : line[(at + 13)..line.IndexOf('"', at + 13)].ToLowerInvariant();
            await writer.WriteLineAsync(key + "\t" + line);
            lines++;
        }
    }

    await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "bench-reads", "6");

    // Topics exist before the worker starts, as deploy/ creates them in production: auto-creation on the 0.9 broker
    // stalls the first produce for seconds and would be measured as throughput.
    await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "bench-alerts", "1");
    await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "bench-dlq", "1");
    Console.WriteLine($"producing {Tools.N(lines)} reads with kcat …");
    await Tools.RunAsync("kcat", ["-P", "-b", bootstrap, .. Tools.Compat, "-t", "bench-reads", "-K", "\t", "-l", keyed]);

    // The machine is shared by the broker, its client and the worker on two cores, so single runs swing widely:
    // kcat and serve take turns, three runs each, and the ratio is of the medians. Every serve run starts from a
    // copy of the same markers-only database, so each one stores every hit and sends every alert.
    var kcatRates = new List<double>();
    var serveRates = builds.ToDictionary(b => b.Label, _ => new List<double>());
    var runs = Option("runs", 3);
    for (var run = 1; run <= runs; run++)
    {
        var kcatWatch = Stopwatch.StartNew();
        var consumed = (await Tools.RunAsync("kcat", ["-C", "-b", bootstrap, .. Tools.Compat, "-t", "bench-reads", "-o", "beginning", "-e", "-q", "-f", "%o\n"])).Count(c => c == '\n');
        kcatWatch.Stop();
        kcatRates.Add(consumed / kcatWatch.Elapsed.TotalSeconds);

        foreach (var (label, app) in builds)
        {
            Tools.Use(app);
            var runDb = Path.Combine(work, $"throughput-{label}-{run}.db");
            File.Copy(Path.Combine(work, $"throughput-{label}.db.template"), runDb, overwrite: true);
            var runPort = Tools.FreePort();
            var group = $"bench-throughput-{label}-{run}";

            // serve has no "exit when caught up" mode: the harness watches the group's committed offsets from outside, as
            // a lag monitor would, and stops serve with SIGTERM. The clock runs from readiness (the first batch taken)
            // until the group has committed the whole topic; a 100 ms commit interval keeps the commit's own delay small.
            using var serveRun = Tools.Start("dotnet", [Tools.App, "serve", $"--Storage:ConnectionString=Data Source={runDb}", "--Source:Kind=kafka", $"--Kafka:BootstrapServers={bootstrap}",
                "--Kafka:ReadsTopic=bench-reads", "--Kafka:AlertsTopic=bench-alerts", "--Kafka:DeadLetterTopic=bench-dlq", $"--Kafka:GroupId={group}", "--Kafka:CommitInterval=00:00:00.100",
                "--Alerting:MaxReadAge=3650.00:00:00", "--Retention:HitDays=36500", $"--Http:Urls=http://127.0.0.1:{runPort}", .. Tools.AppCompat]);
            _ = serveRun.StandardOutput.ReadToEndAsync();
            _ = serveRun.StandardError.ReadToEndAsync();
            using var progress = new AnprWatch.Testing.KafkaGroupProgress(bootstrap, group, "bench-reads", Tools.CompatProperties);
            await Tools.WaitReadyAsync(runPort, serveRun);
            var serveWatch = Stopwatch.StartNew();
            if (!await progress.WaitCaughtUpAsync(TimeSpan.FromMinutes(30), () => serveRun.HasExited, pollMilliseconds: 50))
            {
                throw new InvalidOperationException($"serve ({label}) run {run} never committed the whole topic");
            }

            serveWatch.Stop();
            await Tools.RunAsync("kill", "-TERM", serveRun.Id.ToString(CultureInfo.InvariantCulture));
            await serveRun.WaitForExitAsync();
            serveRates[label].Add(lines / serveWatch.Elapsed.TotalSeconds);
            results.Add($"throughput run {run}: kcat raw consume {Tools.N(consumed)} msgs at {Tools.N(kcatRates[^1])} msgs/s; serve ({label}) consume->match->store->alert->commit {Tools.N(lines)} reads at {Tools.N(serveRates[label][^1])} reads/s (exit {serveRun.ExitCode} on SIGTERM)");
        }
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    var kcatRate = Median(kcatRates);
    foreach (var (label, _) in builds)
    {
        results.Add($"throughput: medians of {runs} runs: kcat {Tools.N(kcatRate)} msgs/s, serve ({label}) {Tools.N(Median(serveRates[label]))} reads/s, ratio {Median(serveRates[label]) / kcatRate:F2}");
    }

    // ---- 2. latency ----------------------------------------------------------------------------------------
    foreach (var (label, app) in builds)
    {
        Tools.Use(app);
        var latencyDb = Path.Combine(work, $"latency-{label}.db");
        var markerCount = Math.Max(1, rate * (seconds + 3) / 100 + 100);
        var plates = Enumerable.Range(0, markerCount).Select(i => $"LT{i / 17576 % 100:D2}{(char)('A' + i / 676 % 26)}{(char)('A' + i / 26 % 26)}{(char)('A' + i % 26)}").Distinct().ToList();
        var markersCsv = Path.Combine(work, "latency-markers.csv");
        await File.WriteAllLinesAsync(markersCsv, ["vrm,suspect_ref,risk_level,host_force,review_due", .. plates.Select((p, i) => $"{p},SR-{i},HIGH,avon-and-somerset,2099-12-31")]);
        await Tools.AppAsync("db", "migrate", $"--Storage:ConnectionString=Data Source={latencyDb}");
        await Tools.AppAsync("markers", "import", markersCsv, "--force", "avon-and-somerset", $"--Storage:ConnectionString=Data Source={latencyDb}");
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, $"lat-reads-{label}", "6");
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, $"lat-alerts-{label}", "1");
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, $"lat-dlq-{label}", "1");
        var httpPort = Tools.FreePort();
        using var serve = Tools.Start("dotnet", Tools.App, "serve", $"--Storage:ConnectionString=Data Source={latencyDb}", "--Source:Kind=kafka", $"--Kafka:BootstrapServers={bootstrap}",
            $"--Kafka:ReadsTopic=lat-reads-{label}", $"--Kafka:AlertsTopic=lat-alerts-{label}", $"--Kafka:DeadLetterTopic=lat-dlq-{label}", $"--Kafka:GroupId=bench-latency-{label}",
            "--Kafka:BatchMaxWait=00:00:00.010", $"--Http:Urls=http://127.0.0.1:{httpPort}", "--Kafka:Properties:api.version.request=false", "--Kafka:Properties:broker.version.fallback=0.9.0.1");
        _ = serve.StandardOutput.ReadToEndAsync();
        _ = serve.StandardError.ReadToEndAsync();
        await Tools.WaitReadyAsync(httpPort, serve);

        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var stopAlerts = new CancellationTokenSource();
        var consumerConfig = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"bench-alerts-{label}", AutoOffsetReset = AutoOffsetReset.Earliest, SessionTimeoutMs = 10000 };
        consumerConfig.Set("api.version.request", "false");
        consumerConfig.Set("broker.version.fallback", "0.9.0.1");
        consumerConfig.Set("fetch.wait.max.ms", "5");
        var alertsThread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, string>(consumerConfig).Build();
            consumer.Assign(new TopicPartitionOffset($"lat-alerts-{label}", 0, Offset.Beginning));
            while (!stopAlerts.IsCancellationRequested)
            {
                var result = consumer.Consume(100);
                if (result is null)
                {
                    continue;
                }

                var received = Stopwatch.GetTimestamp();
                using var alert = JsonDocument.Parse(result.Message.Value);
                if (alert.RootElement.GetProperty("routedTo").GetString() == alert.RootElement.GetProperty("cameraForce").GetProperty("code").GetString()
                    && sent.TryGetValue(alert.RootElement.GetProperty("readId").GetString()!, out var at))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at, received).TotalMilliseconds);
                }
            }
        }) { IsBackground = true };
        alertsThread.Start();

        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 };
        producerConfig.Set("api.version.request", "false");
        producerConfig.Set("broker.version.fallback", "0.9.0.1");
        using (var producer = new ProducerBuilder<string, string>(producerConfig).Build())
        {
            Console.WriteLine($"latency ({label}): {rate} reads/s for {seconds} s, 1% on marked vehicles …");
            // A warm-up of three seconds at the same rate: its alerts are not measured (JIT, first connections).
            var warmup = rate * 3;
            var clock = Stopwatch.StartNew();
            var total = warmup + rate * seconds;
            var hitIndex = 0;
            for (var i = 0; i < total; i++)
            {
                // Pace to the target rate; a read is "sent" when produced, its alert "received" when consumed.
                var due = TimeSpan.FromSeconds((double)i / rate);
                while (clock.Elapsed < due)
                {
                    Thread.SpinWait(20);
                }

                var marked = i % 100 == 0 && hitIndex < plates.Count;
                var measured = i >= warmup;
                var vrm = marked ? plates[hitIndex++] : $"ZZ{i % 100:D2}{(char)('A' + i / 676 % 26)}{(char)('A' + i / 26 % 26)}{(char)('A' + i % 26)}";
                var readId = $"lat-{i}";
                var json = $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"WIL-CAM-001","forceCode":"wiltshire","observedAt":"{{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","lat":51.3,"lon":-1.9,"site":"A350"}""";
                if (marked && measured)
                {
                    sent[readId] = Stopwatch.GetTimestamp();
                }

                producer.Produce($"lat-reads-{label}", new Message<string, string> { Key = "wiltshire", Value = json });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var wait = Stopwatch.StartNew();
        while (latencies.Count < sent.Count && wait.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        var rssLatency = Tools.RssKb(serve.Id);
        await Tools.RunAsync("kill", "-TERM", serve.Id.ToString(CultureInfo.InvariantCulture));
        await serve.WaitForExitAsync();
        stopAlerts.Cancel();
        alertsThread.Join();
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        results.Add($"latency ({label}): read -> alert at {rate} reads/s over {seconds} s: {sorted.Length}/{sent.Count} alerts, p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {Percentile(1):F1} ms (serve RSS {rssLatency / 1024} MB with {plates.Count} markers)");
    }

    // ---- 3. memory with a million markers ------------------------------------------------------------------
    if (memoryMarkers > 0)
    {
        var bigCsv = Path.Combine(work, "million.csv");
        await using (var writer = new StreamWriter(bigCsv, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("vrm,suspect_ref,risk_level,host_force,review_due,operation,action");
            for (var i = 0; i < memoryMarkers; i++)
            {
                var plate = $"{(char)('A' + i % 26)}{(char)('A' + i / 26 % 26)}{i / 676 % 100:D2}{(char)('A' + i / 67600 % 26)}{(char)('A' + i / 1757600 % 26)}X";
                await writer.WriteLineAsync($"{plate},SR-{i:D7},{(i % 3 == 0 ? "HIGH" : "MEDIUM")},metropolitan,2099-12-31,RAILCAR,Notify RIU");
            }
        }

        foreach (var (label, app) in builds)
        {
            Tools.Use(app);
            var memoryDb = Path.Combine(work, $"memory-{label}.db");
            await Tools.AppAsync("db", "migrate", $"--Storage:ConnectionString=Data Source={memoryDb}");
            var import = Stopwatch.StartNew();
            await Tools.AppAsync("markers", "import", bigCsv, "--force", "metropolitan", $"--Storage:ConnectionString=Data Source={memoryDb}");
            import.Stop();
            var memoryPort = Tools.FreePort();
            using var idle = Tools.Start("dotnet", Tools.App, "serve", $"--Storage:ConnectionString=Data Source={memoryDb}", "--Source:Kind=none", $"--Http:Urls=http://127.0.0.1:{memoryPort}");
            _ = idle.StandardOutput.ReadToEndAsync();
            _ = idle.StandardError.ReadToEndAsync();
            var load = Stopwatch.StartNew();
            await Tools.WaitReadyAsync(memoryPort, idle);
            load.Stop();
            await Task.Delay(2000);
            var rss = Tools.RssKb(idle.Id);
            await Tools.RunAsync("kill", "-TERM", idle.Id.ToString(CultureInfo.InvariantCulture));
            await idle.WaitForExitAsync();
            results.Add($"memory ({label}): {Tools.N(memoryMarkers)} markers imported in {import.Elapsed.TotalSeconds:F1} s; serve ready in {load.Elapsed.TotalSeconds:F1} s with RSS {rss / 1024} MB");
        }
    }

    Console.WriteLine();
    results.ForEach(Console.WriteLine);
}
finally
{
    await Tools.RunAsync(Tools.Broker, "stop", brokerDir);
    Directory.Delete(work, recursive: true);
}
