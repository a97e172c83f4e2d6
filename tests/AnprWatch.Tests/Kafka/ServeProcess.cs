using System.Diagnostics;
using System.Text;

namespace AnprWatch.Tests.Kafka;

/// <summary>`anprwatch serve` as a real child process, so it can be killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly string[] _args;

    private ServeProcess(Process process, int httpPort, string[] args)
    {
        _process = process;
        HttpPort = httpPort;
        _args = args;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string AppPath
    {
        get
        {
            // The test assembly sits in tests/AnprWatch.Tests/bin/<Configuration>/net10.0/.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(KafkaBroker.RepositoryRoot, "src", "AnprWatch", "bin", configuration, "net10.0", "anprwatch.dll");
        }
    }

    public static ServeProcess Start(CliRunner cli, KafkaBroker broker, params string[] extra)
        => StartWith(cli, ["--Source:Kind=kafka", $"--Kafka:BootstrapServers={broker.Bootstrap}", .. KafkaBroker.CompatibilityArgs, .. extra]);

    /// <summary>serve against the runner's database with the given source settings.</summary>
    public static ServeProcess StartWith(CliRunner cli, params string[] extra) => StartWith(cli, new Dictionary<string, string>(), extra);

    /// <summary>serve against the runner's database with the given environment variables and source settings.</summary>
    public static ServeProcess StartWith(CliRunner cli, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var port = KafkaBroker.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cli.Directory };
        string[] args =
        [
            AppPath, "serve",
            $"--Storage:ConnectionString=Data Source={cli.Database}",
            $"--Http:Urls=http://127.0.0.1:{port}",
            "--Source:ReloadInterval=00:00:01",

            // Simulated reads are months old: live staleness would (rightly) mark them all stale, and serve's start-up
            // purge would delete them once they are a year old. Tests of staleness and retention set their own values
            // (a later argument wins).
            "--Alerting:MaxReadAge=3650.00:00:00",
            "--Retention:HitDays=36500",
            .. extra,
        ];
        foreach (var (name, value) in TestClock.ChildEnvironment().Concat(environment))
        {
            start.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new ServeProcess(Process.Start(start)!, port, args);
    }

    /// <summary>A client for this serve's HTTP surface; redirects are not followed, so tests see what a browser would be told.</summary>
    public HttpClient CreateClient(int timeoutSeconds = 10)
        => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

    /// <summary>
    /// The /readyz body when serve is ready; with <paramref name="orOnlyMissingMarkers"/> also when the only thing
    /// missing is an active marker list (tests that start serve on an empty store, then load markers).
    /// </summary>
    public async Task<string?> ReadinessAsync(bool orOnlyMissingMarkers = false)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/readyz"));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            var ready = orOnlyMissingMarkers && body.StartsWith('{') ? System.Text.Json.Nodes.JsonNode.Parse(body)?["ready"] : null;
            return ready is not null && ready["store"]!.GetValue<bool>() && ready["source"]!.GetValue<bool>() ? body : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            // No answer within the client's timeout (a loaded machine, serve still starting): not ready yet; callers poll.
            return null;
        }
    }

    /// <summary>Waits until /readyz answers 200 and its body satisfies <paramref name="condition"/>.</summary>
    public async Task WaitReadyAsync(Func<string, bool>? condition = null, int seconds = 60, bool orOnlyMissingMarkers = true)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            Assert.That(_process.HasExited, Is.False, "serve exited early:\n" + Output);
            if (await ReadinessAsync(orOnlyMissingMarkers) is { } body && (condition?.Invoke(body) ?? true))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail("serve did not become ready:\n" + Output);
    }

    public async Task<int> WaitForExitAsync(int seconds = 120)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // drain redirected output
        return _process.ExitCode;
    }

    /// <summary>
    /// Lets serve finish its reads topic, then stops it as an operator would: once it is ready, waits, from outside, until its consumer
    /// group has committed every message (<see cref="Testing.KafkaGroupProgress"/>), sends SIGTERM and returns the exit
    /// code. Topic, group, bootstrap and librdkafka properties are the ones serve was started with.
    /// </summary>
    public async Task<int> FinishTopicAsync(int seconds = 120)
    {
        string Setting(string key, string fallback) => _args.LastOrDefault(a => a.StartsWith($"--{key}=", StringComparison.Ordinal))?[(key.Length + 3)..] ?? fallback;
        var properties = _args.Where(a => a.StartsWith("--Kafka:Properties:", StringComparison.Ordinal))
            .Select(a => a["--Kafka:Properties:".Length..].Split('=', 2)).Select(p => KeyValuePair.Create(p[0], p[1]));
        // Serve must be up first: a SIGTERM before .NET has installed its handler ends the process with 143, and a group
        // already caught up (a restart with nothing left) would otherwise be signalled at once.
        await WaitReadyAsync(body => body.Contains("kafka: ", StringComparison.Ordinal), seconds);
        using (var progress = new Testing.KafkaGroupProgress(Setting("Kafka:BootstrapServers", "localhost:9092"), Setting("Kafka:GroupId", "anprwatch"), Setting("Kafka:ReadsTopic", "anpr.reads"), properties))
        {
            var caughtUp = await progress.WaitCaughtUpAsync(TimeSpan.FromSeconds(seconds), () => _process.HasExited);
            Assert.That(caughtUp || _process.HasExited, Is.True, $"serve's group never committed the whole topic in {seconds} s:\n{Output}");
        }

        if (!_process.HasExited)
        {
            await TerminateAsync();
        }

        return await WaitForExitAsync(60);
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public Task TerminateAsync() => Shell.RunAsync("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
