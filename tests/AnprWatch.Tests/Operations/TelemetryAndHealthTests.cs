using System.Net;
using System.Text;

namespace AnprWatch.Tests.Operations;

/// <summary>Operators' view: OTLP metrics reach a collector, and /healthz and /readyz mean what docs/OPERATIONS.md says.</summary>
public class TelemetryAndHealthTests
{
    [Test]
    public async Task Metrics_are_exported_over_otlp_to_the_configured_endpoint()
    {
        // A stand-in collector: an HTTP endpoint hosted by the test, recording what arrives.
        var port = Kafka.KafkaBroker.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new List<(string Path, byte[] Body)>();
        var listening = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (received)
                {
                    received.Add((context.Request.Url!.AbsolutePath, body.ToArray()));
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using var cli = new CliRunner();
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await File.WriteAllTextAsync(Path.Combine(inbox, "reads.jsonl"),
            $$"""{"readId":"t-1","vrm":"AB12CDE","cameraId":"C","forceCode":"dorset","observedAt":"{{TestClock.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""" + "\nnot json\n");
        File.SetLastWriteTimeUtc(Path.Combine(inbox, "reads.jsonl"), DateTime.UtcNow.AddMinutes(-1));
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=folder", $"--Source:Path={inbox}",
            $"--Telemetry:OtlpEndpoint=http://127.0.0.1:{port}/", "--Telemetry:ExportIntervalMs=500");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool Arrived(string name)
        {
            lock (received)
            {
                return received.Any(r => r.Path == "/v1/metrics" && Encoding.UTF8.GetString(r.Body).Contains(name, StringComparison.Ordinal));
            }
        }

        while (!(Arrived("anprwatch.reads") && Arrived("anprwatch.dead_letters") && Arrived("anprwatch.marker_index.size")))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "metrics did not arrive\n" + serve.Output);
            await Task.Delay(200);
        }

        collector.Stop();
        await listening;
    }

    [Test]
    public async Task The_standard_otel_variables_export_metrics_traces_and_logs_with_no_plate_in_any()
    {
        using var collector = new OtlpCollector();
        using var cli = new CliRunner();
        const string Plate = "OT12LPX";
        await cli.ImportCsvAsync("wiltshire", $"vrm,suspect_ref,risk_level,host_force,review_due\n{Plate},SR-OTEL,HIGH,wiltshire,2099-12-31\n");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await File.WriteAllTextAsync(Path.Combine(inbox, "reads.jsonl"),
            $$"""{"readId":"o-1","vrm":"{{Plate}}","cameraId":"C","forceCode":"dorset","observedAt":"{{TestClock.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""" + "\nnot json\n");
        File.SetLastWriteTimeUtc(Path.Combine(inbox, "reads.jsonl"), DateTime.UtcNow.AddMinutes(-1));
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collector.Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "anprwatch-otel-test",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        };
        await using var serve = Kafka.ServeProcess.StartWith(cli, environment, "--Source:Kind=folder", $"--Source:Path={inbox}");
        await serve.WaitReadyAsync(body => body.Contains("1 markers", StringComparison.Ordinal), orOnlyMissingMarkers: false);
        var alerts = Path.Combine(inbox, "done", "reads.alerts.jsonl");

        // A plate in a query string (refused: no key) must not reach a span either.
        using (var http = serve.CreateClient())
        {
            using var refused = await http.GetAsync(new Uri($"/api/hits?vrm={Plate}&from=2026-01-01&to=2026-01-02", UriKind.Relative));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await collector.WaitForAsync(serve, ("/v1/metrics", "anprwatch.reads"), ("/v1/metrics", "anprwatch.alerts"), ("/v1/metrics", "http.server.request.duration"),
            ("/v1/metrics", "dotnet.gc"), ("/v1/traces", "/api/hits"), ("/v1/logs", "Application started"), ("/v1/logs", "anprwatch-otel-test"));
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(alerts) ? File.ReadAllText(alerts) : "", Does.Contain(Plate), "the read hit and was alerted, so the plate was there to leak");
            Assert.That(collector.Bodies(), Has.None.Contains(Plate), "no metric, span or log record carries the plate");
        });
    }

    [Test]
    public async Task Readiness_fails_while_the_store_is_unreachable_and_recovers_with_it()
    {
        using var cli = new CliRunner();
        var storeDirectory = Directory.CreateDirectory(cli.PathOf("store")).FullName;
        var database = new CliRunner(storeDirectory).Database; // created there with db migrate; cli's disposal removes it
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none", $"--Storage:ConnectionString=Data Source={database}");
        await serve.WaitReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serve.HttpPort}"), Timeout = TimeSpan.FromSeconds(5) };

        // The volume goes away: the store cannot be opened, so the instance must stop taking traffic.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var moved = storeDirectory + "-away";
        Directory.Move(storeDirectory, moved);
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("\"store\":\"unreachable\""));
        Assert.That((await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Directory.Move(moved, storeDirectory);
        await serve.WaitReadyAsync(seconds: 20);
    }

    [Test]
    public async Task Readiness_fails_while_no_force_has_an_active_marker_list_and_passes_once_one_is_loaded()
    {
        using var cli = new CliRunner();
        {
            var migrate = await cli.RunAsync("db", "migrate");
            Assert.That(migrate.ExitCode, Is.Zero, migrate.Err);
            await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
            await serve.WaitReadyAsync(); // store and source ready; only the markers are missing
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serve.HttpPort}"), Timeout = TimeSpan.FromSeconds(5) };
            var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            var body = await ready.Content.ReadAsStringAsync();
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(body, Does.Contain("no force has an active marker list"));

            await cli.ImportCsvAsync("wiltshire", "vrm,suspect_ref,risk_level,host_force,review_due\nRD12YZZ,SR-READY,HIGH,wiltshire,2099-12-31\n");
            await serve.WaitReadyAsync(body => body.Contains("1 markers", StringComparison.Ordinal), seconds: 20, orOnlyMissingMarkers: false);
        }
    }

    [Test]
    public async Task Readiness_fails_while_the_source_is_not_assigned_and_health_stays_up()
    {
        using var cli = new CliRunner();

        // A Kafka source whose broker does not exist: alive, but never ready to take traffic.
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=kafka", $"--Kafka:BootstrapServers=127.0.0.1:{Kafka.KafkaBroker.FreePort()}",
            "--Kafka:Properties:api.version.request=false", "--Kafka:Properties:broker.version.fallback=0.9.0.1");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serve.HttpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        HttpResponseMessage? health = null;
        for (var i = 0; i < 100 && health is null; i++)
        {
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
        await Task.Delay(2000);
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("\"store\":\"reachable\"").And.Contain("\"source\":\"starting\""));
    }
}

/// <summary>A stand-in OTLP/HTTP collector: an HTTP endpoint hosted by the test, recording what arrives per path.</summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Path, byte[] Body)> _received = [];
    private readonly Task _listening;

    public OtlpCollector()
    {
        Port = Kafka.KafkaBroker.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _listening = Task.Run(ListenAsync);
    }

    public int Port { get; }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            lock (_received)
            {
                _received.Add((context.Request.Url!.AbsolutePath, body.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    /// <summary>Every body received, as UTF-8 (OTLP protobuf keeps strings as UTF-8 bytes).</summary>
    public List<string> Bodies()
    {
        lock (_received)
        {
            return _received.Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        }
    }

    public bool Arrived(string path, string text)
    {
        lock (_received)
        {
            return _received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));
        }
    }

    public async Task WaitForAsync(Kafka.ServeProcess serve, params (string Path, string Text)[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (expected.Where(e => !Arrived(e.Path, e.Text)).ToList() is { Count: > 0 } missing)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"not exported: {string.Join(", ", missing)}\n{serve.Output}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listening.GetAwaiter().GetResult();
        _listener.Close();
    }
}
