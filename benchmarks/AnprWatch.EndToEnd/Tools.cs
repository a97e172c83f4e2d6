using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AnprWatch.EndToEnd;

/// <summary>Processes the benchmark drives: the broker script, kcat and anprwatch itself.</summary>
internal static class Tools
{
    public static string Root { get; } = FindRoot();

    /// <summary>This checkout's Release build: the app under test.</summary>
    public static string CurrentApp { get; } = Path.Combine(Root, "src", "AnprWatch", "bin", "Release", "net10.0", "anprwatch.dll");

    /// <summary>ANPRWATCH_E2E_BEFORE: another build (e.g. an earlier commit's) measured in the same run, for before/after figures.</summary>
    public static string? BeforeApp { get; } = Environment.GetEnvironmentVariable("ANPRWATCH_E2E_BEFORE") is { Length: > 0 } before ? before : null;

    /// <summary>The app the next command runs (<see cref="Use"/> switches it between the builds being compared).</summary>
    public static string App { get; private set; } = CurrentApp;

    public static void Use(string app) => App = app;

    public static string Broker => Path.Combine(Root, "tests", "broker", "broker.sh");

    public static readonly string[] Compat = ["-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0.1"];
    public static readonly KeyValuePair<string, string>[] CompatProperties = [new("api.version.request", "false"), new("broker.version.fallback", "0.9.0.1")];
    public static readonly string[] AppCompat = ["--Kafka:Properties:api.version.request=false", "--Kafka:Properties:broker.version.fallback=0.9.0.1"];

    public static async Task<string> RunAsync(string file, params string[] args)
    {
        using var process = Start(file, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        }

        return await output;
    }

    public static Process Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    public static Task<string> AppAsync(params string[] args) => RunAsync("dotnet", [App, .. args]);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static long RssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public static async Task WaitReadyAsync(int port, Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 1200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("serve exited: " + await process.StandardError.ReadToEndAsync());
            }

            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("serve did not become ready");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AnprWatch.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }
}
