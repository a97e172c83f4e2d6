using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Playwright;

namespace AnprWatch.EndToEnd;

/// <summary>
/// The board benchmark (issue 16): read produced → card in the DOM of headless Chromium, with N boards open (default
/// 50) while reads arrive at a steady rate (default 5,000/s), beside the store queries per second the boards cause.
/// One real Kafka 0.9 broker, one <c>anprwatch serve</c> (Kafka source, alert topic, the board's change cursor at its
/// default 1 s), one Debian Chromium with one browser context (its own signed-in session) per board. Baselines in the
/// same run: the same measurement with one board open, and, in each phase, read produced → alert consumed from the
/// alert topic.
/// </summary>
internal static class BoardBenchmark
{
    // Records, in each page, when each card (by its plate) first entered the DOM, on the system clock: Date.now(), not
    // performance.timeOrigin + now(), which runs on the monotonic clock and can sit hundreds of ms off the wall clock.
    private const string Observer = """
        window.__cards = [];
        (() => {
          const seen = new Set();
          new MutationObserver(mutations => {
            const at = Date.now();
            for (const m of mutations) for (const n of m.addedNodes) {
              if (n.nodeType !== 1 || !n.matches("article[data-hit-id]") || seen.has(n.dataset.hitId)) continue;
              seen.add(n.dataset.hitId);
              window.__cards.push([n.querySelector(".vrm")?.textContent ?? "", at]);
            }
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    public static async Task<List<string>> RunAsync(Func<string, int, int> option, string work, string brokerDir, string bootstrap)
    {
        var boards = option("boards", 50);
        var rate = option("rate", 5000);
        var seconds = option("seconds", 30);
        var hitEvery = option("hit-every", 1000);
        var warmupSeconds = 3;
        var results = new List<string>();

        // Markers: one plate per hit of each phase, each phase its own letters so a later phase's boards (which load
        // the earlier alerts as their window) never mistake an old card for a new one.
        var perPhase = rate * (seconds + warmupSeconds) / hitEvery + 10;
        string Plate(int phase, int i) => $"B{(char)('A' + phase)}{i / 17576 % 100:D2}{(char)('A' + i / 676 % 26)}{(char)('A' + i / 26 % 26)}{(char)('A' + i % 26)}";
        var db = Path.Combine(work, "board.db");
        var markersCsv = Path.Combine(work, "board-markers.csv");
        await File.WriteAllLinesAsync(markersCsv, ["vrm,suspect_ref,risk_level,host_force,review_due",
            .. Enumerable.Range(0, 2).SelectMany(p => Enumerable.Range(0, perPhase).Select(i => $"{Plate(p, i)},SR-{p}-{i},HIGH,avon-and-somerset,2099-12-31"))]);
        var store = $"--Storage:ConnectionString=Data Source={db}";
        await Tools.AppAsync("db", "migrate", store);
        await Tools.AppAsync("markers", "import", markersCsv, "--force", "avon-and-somerset", store);
        var key = (await Tools.AppAsync("keys", "create", "--role", "control-room", "--name", "bench-desk", store)).Trim();
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "board-reads", "6");
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "board-alerts", "1");
        await Tools.RunAsync(Tools.Broker, "topic", brokerDir, "board-dlq", "1");

        var port = Tools.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var serve = Tools.Start("dotnet", Tools.App, "serve", store, "--Source:Kind=kafka", $"--Kafka:BootstrapServers={bootstrap}",
            "--Kafka:ReadsTopic=board-reads", "--Kafka:AlertsTopic=board-alerts", "--Kafka:DeadLetterTopic=board-dlq", "--Kafka:GroupId=bench-board",
            "--Kafka:BatchMaxWait=00:00:00.010", $"--Http:Urls={url}", "--Kafka:Properties:api.version.request=false", "--Kafka:Properties:broker.version.fallback=0.9.0.1");
        _ = serve.StandardOutput.ReadToEndAsync();
        _ = serve.StandardError.ReadToEndAsync();
        await Tools.WaitReadyAsync(port, serve);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
        });

        // The benchmark's clock: Unix milliseconds, high resolution, on the same system clock the pages use.
        var anchorMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var anchor = Stopwatch.StartNew();
        double NowMs() => anchorMs + anchor.Elapsed.TotalMilliseconds;

        var contexts = new List<IBrowserContext>();
        try
        {
            var phase = 0;
            int[] counts = boards == 1 ? [1] : [1, boards];
            foreach (var count in counts)
            {
                // Open the boards: each a context of its own (one desk's session), signed in with the key.
                var open = Stopwatch.StartNew();
                var pages = new List<IPage>();
                while (contexts.Count < count)
                {
                    var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
                    contexts.Add(context);
                }

                foreach (var context in contexts)
                {
                    var page = context.Pages.FirstOrDefault() ?? await context.NewPageAsync();
                    if (page.Url.EndsWith("/board", StringComparison.Ordinal))
                    {
                        await page.ReloadAsync(); // a fresh observer and window for this phase
                    }
                    else
                    {
                        await page.AddInitScriptAsync(Observer);
                        await page.GotoAsync(url + "/signin");
                        await page.FillAsync("#key", key);
                        await page.ClickAsync("#signin");
                        await page.WaitForURLAsync(u => u.EndsWith("/board", StringComparison.Ordinal));
                    }

                    await page.WaitForSelectorAsync("#status.live");
                    pages.Add(page);
                }

                open.Stop();
                await Task.Delay(2000); // every stream past its initial window
                var phaseResults = await MeasureAsync(phase, pages, Plate, rate, seconds, warmupSeconds, hitEvery, bootstrap, port, key, NowMs);
                results.Add($"board: {count} board(s) open (opened in {open.Elapsed.TotalSeconds:F0} s): {phaseResults}");
                phase++;
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.CloseAsync();
            }

            await Tools.RunAsync("kill", "-TERM", serve.Id.ToString(CultureInfo.InvariantCulture));
            await serve.WaitForExitAsync();
        }

        return results;
    }

    private static async Task<string> MeasureAsync(int phase, List<IPage> pages, Func<int, int, string> plate, int rate, int seconds, int warmupSeconds, int hitEvery,
        string bootstrap, int port, string key, Func<double> nowMs)
    {
        var produced = new ConcurrentDictionary<string, double>(StringComparer.Ordinal); // plate -> produced at (ms)
        var measured = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var onTopic = new ConcurrentBag<double>();
        var onStream = new ConcurrentBag<double>();
        using var stopAlerts = new CancellationTokenSource();

        // A board without a browser: the same alert stream read by HttpClient with the API key, so the server's share
        // of read -> card can be told from the browser's.
        using var streamClient = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        streamClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", key);
        using var streamOpen = new ManualResetEventSlim();
        var streamTask = Task.Run(async () =>
        {
            try
            {
                using var response = await streamClient.GetAsync(new Uri($"http://127.0.0.1:{port}/api/alerts/stream"), HttpCompletionOption.ResponseHeadersRead, stopAlerts.Token);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stopAlerts.Token));
                streamOpen.Set();
                string? name = null;
                while (await reader.ReadLineAsync(stopAlerts.Token) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "alert")
                    {
                        var received = nowMs();
                        using var alert = JsonDocument.Parse(line[6..]);
                        var vrm = alert.RootElement.GetProperty("vrm").GetString()!;
                        if (measured.ContainsKey(vrm) && produced.TryGetValue(vrm, out var at))
                        {
                            onStream.Add(received - at);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        streamOpen.Wait(TimeSpan.FromSeconds(10));
        var consumerConfig = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"bench-board-alerts-{phase}", AutoOffsetReset = AutoOffsetReset.Latest, SessionTimeoutMs = 10000 };
        consumerConfig.Set("api.version.request", "false");
        consumerConfig.Set("broker.version.fallback", "0.9.0.1");
        consumerConfig.Set("fetch.wait.max.ms", "5");
        using var assigned = new ManualResetEventSlim();
        var alertsThread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, string>(consumerConfig).Build();
            consumer.Assign(new TopicPartitionOffset("board-alerts", 0, Offset.End));
            assigned.Set();
            while (!stopAlerts.IsCancellationRequested)
            {
                var result = consumer.Consume(100);
                if (result is null)
                {
                    continue;
                }

                var received = nowMs();
                using var alert = JsonDocument.Parse(result.Message.Value);
                var root = alert.RootElement;
                if (root.TryGetProperty("confirmedAt", out var confirmed) && confirmed.ValueKind != JsonValueKind.Null || root.GetProperty("routedTo").GetString() != root.GetProperty("cameraForce").GetProperty("code").GetString())
                {
                    continue;
                }

                var vrm = root.GetProperty("vrm").GetString()!;
                if (measured.ContainsKey(vrm) && produced.TryGetValue(vrm, out var at))
                {
                    onTopic.Add(received - at);
                }
            }
        }) { IsBackground = true };
        alertsThread.Start();
        assigned.Wait(TimeSpan.FromSeconds(10));
        await Task.Delay(1000);

        Task<long>? queriesBefore = null;
        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 };
        producerConfig.Set("api.version.request", "false");
        producerConfig.Set("broker.version.fallback", "0.9.0.1");
        var warmup = rate * warmupSeconds;
        var total = warmup + rate * seconds;
        double measuredSeconds;
        long queriesDuring;
        var sent = 0;
        using (var producer = new ProducerBuilder<string, string>(producerConfig).Build())
        {
            var clock = Stopwatch.StartNew();
            TimeSpan measureStart = default;
            var hitIndex = 0;
            for (var i = 0; i < total; i++)
            {
                if (i == warmup)
                {
                    measureStart = clock.Elapsed;
                    queriesBefore = BoardQueriesAsync(port); // not awaited here: the producer keeps its pace
                }

                // Paced to the target rate; when the machine cannot keep up the loop falls behind and the achieved
                // rate, reported below, is what was really offered.
                var due = TimeSpan.FromSeconds((double)i / rate);
                while (clock.Elapsed < due)
                {
                    Thread.SpinWait(20);
                }

                var marked = i % hitEvery == 0;
                var vrm = marked ? plate(phase, hitIndex++) : $"ZZ{i % 100:D2}{(char)('A' + i / 676 % 26)}{(char)('A' + i / 26 % 26)}{(char)('A' + i % 26)}";
                var json = $$"""{"readId":"board-{{phase}}-{{i}}","vrm":"{{vrm}}","cameraId":"WIL-CAM-001","forceCode":"wiltshire","observedAt":"{{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","lat":51.3,"lon":-1.9,"site":"A350"}""";
                if (marked)
                {
                    produced[vrm] = nowMs();
                    if (i >= warmup)
                    {
                        measured[vrm] = 0;
                    }
                }

                producer.Produce("board-reads", new Message<string, string> { Key = "wiltshire", Value = json });
                sent++;
            }

            measuredSeconds = (clock.Elapsed - measureStart).TotalSeconds;
            queriesDuring = await BoardQueriesAsync(port) - await queriesBefore!;
            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var achieved = rate * seconds / measuredSeconds;

        // Wait (at most 30 s) for every measured card on every board, then read each page's record.
        var wait = Stopwatch.StartNew();
        var cards = new List<JsonElement>();
        while (true)
        {
            cards.Clear();
            foreach (var page in pages)
            {
                cards.Add(await page.EvaluateAsync<JsonElement>("window.__cards"));
            }

            var complete = cards.All(c => measured.Keys.All(v => c.EnumerateArray().Any(e => e[0].GetString() == v)));
            if (complete || wait.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            await Task.Delay(1000);
        }

        stopAlerts.Cancel();
        alertsThread.Join();
        await streamTask;
        var toCard = new List<double>();
        foreach (var record in cards)
        {
            foreach (var entry in record.EnumerateArray())
            {
                var vrm = entry[0].GetString()!;
                if (measured.ContainsKey(vrm) && produced.TryGetValue(vrm, out var at))
                {
                    toCard.Add(entry[1].GetDouble() - at);
                }
            }
        }

        var expected = measured.Count * pages.Count;
        return $"{sent:N0} reads at {Tools.N(achieved)}/s offered (target {rate:N0}/s, 1 in {hitEvery:N0} a hit); " +
               $"read -> card in the DOM: {toCard.Count:N0}/{expected:N0} cards, {Stats(toCard)}; " +
               $"read -> alert event on the stream (HttpClient, no browser): {onStream.Count}/{measured.Count}, {Stats([.. onStream])}; " +
               $"read -> alert on the topic: {onTopic.Count}/{measured.Count}, {Stats([.. onTopic])}; " +
               $"board store queries {queriesDuring} in {measuredSeconds:F1} s = {queriesDuring / measuredSeconds:F2}/s";
    }

    private static string Stats(List<double> values)
    {
        if (values.Count == 0)
        {
            return "none";
        }

        var sorted = values.Order().ToArray();
        double P(double p) => sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
        return $"p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {P(1):F1} ms";
    }

    private static async Task<long> BoardQueriesAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var ready = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/readyz")));
        return ready.RootElement.GetProperty("boards").GetProperty("storeQueries").GetInt64();
    }
}
