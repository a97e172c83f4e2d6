using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// A real Apache Kafka 0.9 broker (tests/broker/broker.sh) on loopback with its own ports and temp folder,
/// started once for the Kafka tests and stopped after them.
/// </summary>
public sealed class KafkaBroker
{
    public static readonly string[] CompatibilityArgs =
        ["--Kafka:Properties:api.version.request=false", "--Kafka:Properties:broker.version.fallback=0.9.0.1"];

    private KafkaBroker(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public int Port { get; }
    public string Bootstrap => $"127.0.0.1:{Port}";

    public static string RepositoryRoot { get; } = FindRoot();

    private static string Script => Path.Combine(RepositoryRoot, "tests", "broker", "broker.sh");

    public static async Task<KafkaBroker> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("anprwatch-kafka-").FullName;
        var broker = new KafkaBroker(directory, FreePort());
        await Shell.RunAsync(Script, "install");
        await Shell.RunAsync(Script, "start", directory, FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return broker;
    }

    public Task CreateTopicAsync(string name, int partitions)
        => Shell.RunAsync(Script, "topic", Directory, name, partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Stops the Kafka server only (its data and ZooKeeper stay), as a broker outage.</summary>
    public Task PauseAsync() => Shell.RunAsync(Script, "pause", Directory);

    /// <summary>Starts the paused server again on the same port and data; returns once it answers metadata requests.</summary>
    public Task ResumeAsync() => Shell.RunAsync(Script, "resume", Directory);

    public async Task StopAsync()
    {
        await Shell.RunAsync(Script, "stop", Directory);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Produces "key\tvalue" lines with kcat, a second, independent client.</summary>
    public Task ProduceAsync(string topic, string keyedFile)
        => Shell.RunAsync("kcat", "-P", "-b", Bootstrap, "-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0.1", "-t", topic, "-K", "\t", "-l", keyedFile);

    /// <summary>Everything on a topic, as "key\tvalue" lines, read with kcat.</summary>
    public async Task<List<(string Key, string Value)>> ConsumeAllAsync(string topic)
    {
        var output = await Shell.RunAsync("kcat", "-C", "-b", Bootstrap, "-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0.1",
            "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();
    }

    /// <summary>Writes a simulator's reads as kcat input keyed by camera force, as a production feed should be.</summary>
    public static async Task<string> KeyedReadsAsync(string simDirectory)
    {
        var path = Path.Combine(simDirectory, "reads.keyed.txt");
        if (File.Exists(path))
        {
            return path;
        }

        // Streamed line by line: the fault suite's scenario is a million reads.
        using var reader = new StreamReader(Path.Combine(simDirectory, "reads.jsonl"));
        await using (var writer = new StreamWriter(path + ".tmp"))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                string key;
                try
                {
                    key = System.Text.Json.Nodes.JsonNode.Parse(line)?["forceCode"]?.GetValue<string>().ToLowerInvariant() ?? "unknown";
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
                {
                    key = "unknown";
                }

                await writer.WriteAsync(key);
                await writer.WriteAsync('\t');
                await writer.WriteLineAsync(line);
            }
        }

        File.Move(path + ".tmp", path);
        return path;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AnprWatch.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

public static class Shell
{
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        }

        return await output;
    }
}
