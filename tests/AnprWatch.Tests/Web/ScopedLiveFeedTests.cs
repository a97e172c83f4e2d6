using System.Net;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Web;

/// <summary>
/// Scope beyond the replay (issue 14): a force-scoped control-room key's open stream is pushed only the live alerts
/// routed to its forces, and a scoped bureau key's marker list and review-due list hold only its forces' markers.
/// Each test has its own store, so the hits and markers it adds change no other test's literal sets.
/// </summary>
[NonParallelizable]
public class ScopedLiveFeedTests
{
    /// <summary>An open stream: every alert's read id it is pushed, in order, read in the background.</summary>
    private sealed class OpenStream : IDisposable
    {
        private readonly HttpClient _http;
        private readonly HttpResponseMessage _response;
        private readonly List<string> _readIds = [];
        private readonly Task _reading;

        private OpenStream(HttpClient http, HttpResponseMessage response, StreamReader reader)
        {
            (_http, _response) = (http, response);
            _reading = Task.Run(async () =>
            {
                try
                {
                    while (await reader.ReadLineAsync() is { } line)
                    {
                        // Alert events carry a read; the board's other events (ready, outcome) do not.
                        if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line["data: ".Length..])?["readId"] is { } readId)
                        {
                            lock (_readIds)
                            {
                                _readIds.Add(readId.GetValue<string>());
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException)
                {
                    // the test closed the stream
                }
                finally
                {
                    reader.Dispose();
                }
            });
        }

        public string[] ReadIds
        {
            get
            {
                lock (_readIds)
                {
                    return [.. _readIds];
                }
            }
        }

        /// <summary>Opens the stream with an API key and waits until its window has been sent (the "ready" event).</summary>
        public static async Task<OpenStream> OpenAsync(int port, string key)
        {
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", key);
            var response = await http.GetAsync(new Uri("/api/alerts/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await reader.ReadLineAsync(ready.Token) is { } line && line != "event: ready")
            {
            }

            return new OpenStream(http, response, reader);
        }

        /// <summary>Waits (20 s at most) until the stream has been pushed <paramref name="count"/> alerts.</summary>
        public async Task<string[]> WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (ReadIds.Length < count && DateTime.UtcNow < deadline && !_reading.IsCompleted)
            {
                await Task.Delay(100);
            }

            return ReadIds;
        }

        public void Dispose()
        {
            _response.Dispose();
            _http.Dispose();
        }
    }

    [Test]
    public async Task A_force_scoped_control_rooms_open_stream_is_pushed_only_its_forces_new_alerts()
    {
        using var cli = new CliRunner();
        var wiltshire = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "cr-wiltshire", "--force", "wiltshire")).Out.Trim();
        var national = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "cr-national")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var scoped = await OpenStream.OpenAsync(serve.Port, wiltshire);
        using var everything = await OpenStream.OpenAsync(serve.Port, national);
        Assert.That(scoped.ReadIds.Concat(everything.ReadIds), Is.Empty, "nothing was stored before the streams opened");

        // Stored while both streams are open, oldest first: a Kent alert between two routed to Wiltshire (camera; host).
        var now = TestClock.UtcNow;
        await TestHits.StoreAsync(cli, "live-wilts-camera", camera: "wiltshire", host: "avon-and-somerset", observedAt: now.AddSeconds(-3));
        await TestHits.StoreAsync(cli, "live-kent", camera: "kent", host: "kent", observedAt: now.AddSeconds(-2), vrm: "EF56GHI");
        await TestHits.StoreAsync(cli, "live-wilts-host", camera: "metropolitan", host: "wiltshire", observedAt: now.AddSeconds(-1), vrm: "CD34EFG");

        // The national stream shows the Kent alert was pushed live; once the scoped stream has the later Wiltshire
        // alert, the Kent one (published before it) was filtered out, not merely late.
        Assert.That(await everything.WaitForAsync(3), Is.EqualTo(new[] { "live-wilts-camera", "live-kent", "live-wilts-host" }));
        Assert.That(await scoped.WaitForAsync(2), Is.EqualTo(new[] { "live-wilts-camera", "live-wilts-host" }));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(scoped.ReadIds, Is.EqualTo(new[] { "live-wilts-camera", "live-wilts-host" }));
    }

    [Test]
    public async Task A_scoped_bureau_key_lists_and_is_reminded_of_only_its_forces_markers()
    {
        using var cli = new CliRunner();
        var soon = TestClock.Iso(TestClock.UkToday.AddDays(5));
        await cli.ImportCsvAsync("kent", $"vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-K,HIGH,kent,{soon}\n", "kent.csv");
        await cli.ImportCsvAsync("dorset", $"vrm,suspect_ref,risk_level,host_force,review_due\nEF56GHI,SR-D,HIGH,dorset,{soon}\n", "dorset.csv");
        await cli.ImportCsvAsync("wiltshire", $"vrm,suspect_ref,risk_level,host_force,review_due\nCD34EFG,SR-W,HIGH,wiltshire,{soon}\n", "wiltshire.csv");
        var keys = new Dictionary<string, string>();
        foreach (var (name, scope) in new (string, string[])[] { ("bureau-kent", ["--force", "kent"]), ("bureau-kent-dorset", ["--force", "kent", "--force", "dorset"]), ("bureau-national", []) })
        {
            keys[name] = (await cli.RunAsync(["keys", "create", "--role", "bureau", "--name", name, .. scope])).Out.Trim();
        }

        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        async Task<string[]> Vrms(string key, string path)
        {
            using var http = serve.CreateClient(key);
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(m => m!["vrm"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
        }

        var seen = new Dictionary<string, string[]>();
        foreach (var name in keys.Keys)
        {
            seen[$"{name} markers"] = await Vrms(keys[name], "/api/markers");
            seen[$"{name} review-due"] = await Vrms(keys[name], "/api/markers/review-due?within=14");
        }

        Assert.That(seen, Is.EqualTo(new Dictionary<string, string[]>
        {
            ["bureau-kent markers"] = ["AB12CDE"],
            ["bureau-kent review-due"] = ["AB12CDE"],
            ["bureau-kent-dorset markers"] = ["AB12CDE", "EF56GHI"],
            ["bureau-kent-dorset review-due"] = ["AB12CDE", "EF56GHI"],
            ["bureau-national markers"] = ["AB12CDE", "CD34EFG", "EF56GHI"],
            ["bureau-national review-due"] = ["AB12CDE", "CD34EFG", "EF56GHI"],
        }));

        using var kent = serve.CreateClient(keys["bureau-kent"]);
        Assert.That((await kent.GetAsync(new Uri("/api/markers?force=wiltshire", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
