using System.Diagnostics;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Hosting;
using AnprWatch.Kafka;
using AnprWatch.Sinks;
using AnprWatch.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;

namespace AnprWatch.Worker;

/// <summary>
/// Runs the pipeline over the configured source. A batch in flight when shutdown starts is finished, made durable
/// and its offsets stored before the consumer commits and leaves the group.
/// </summary>
public sealed partial class PipelineWorker(
    AppServices services,
    MarkerIndexHolder holder,
    PipelineStats stats,
    ServeOptions options,
    Readiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineWorker> logger) : BackgroundService
{
    private readonly ResiliencePipeline _resilience = StoreResilience.Create(logger);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.SourceKind switch
    {
        // librdkafka's consumer blocks: it gets a thread of its own rather than a thread-pool thread.
        "kafka" => Task.Factory.StartNew(() => RunKafkaAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
        "folder" => RunFolderAsync(stoppingToken),
        _ => RunNoneAsync(),
    };

    private Task RunNoneAsync()
    {
        readiness.SetSource(true, "none (web and API only)");
        return Task.CompletedTask;
    }

    private async Task WaitForIndexAsync(CancellationToken stoppingToken)
    {
        // Matching against an empty index before the first load would silently miss every hit.
        while (!holder.IsLoaded)
        {
            await Task.Delay(100, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task RunKafkaAsync(CancellationToken stoppingToken)
    {
        await WaitForIndexAsync(stoppingToken).ConfigureAwait(false);

        // Which librdkafka a process runs is the first question when a client misbehaves (an OS library can shadow the bundled one).
        LogLibrdkafka(Confluent.Kafka.Library.VersionString, BundledLibrdkafka.LoadedPath ?? "the default search path");
        using var alerts = new KafkaAlertSink(options.Kafka);
        using var deadLetters = new KafkaDeadLetterSink(options.Kafka);
        using var source = new PrefetchingReadSource(new KafkaReadSource(options.Kafka, logger));
        readiness.Lag = source.Inner.Lag;
        var pipeline = new ReadPipeline(holder, services.Policy, services.Gate, services.Hits, alerts, deadLetters, services.Clock, PipelineMode.Live, stats);
        var drain = CancellationToken.None;
        Stopwatch? busy = null;
        var consuming = new Stopwatch();
        var processing = new Stopwatch();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ReadBatch? batch;
                try
                {
                    consuming.Start();
                    batch = await source.NextBatchAsync(stoppingToken).ConfigureAwait(false);
                    consuming.Stop();
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (batch is null)
                {
                    break; // fetching ended: caught up (ExitWhenCaughtUp) or the consumer failed
                }

                if (source.Inner.HasJoined)
                {
                    readiness.SetSource(true, $"kafka: {source.Inner.AssignedCount} partitions of {options.Kafka.ReadsTopic}");
                }

                if (batch.Records.Count > 0)
                {
                    busy ??= Stopwatch.StartNew();
                    processing.Start();

                    // The batch in hand is finished even during shutdown: its hits become durable, then its offsets are stored.
                    await _resilience.ExecuteAsync(async ct => await pipeline.ProcessAsync(batch, ct).ConfigureAwait(false), drain).ConfigureAwait(false);
                    await source.CompleteAsync(batch, drain).ConfigureAwait(false);
                    processing.Stop();
                }

            }
        }
        finally
        {
            readiness.Lag = () => null;
            source.Close();
            LogStopped(stats.Reads, stats.Hits, stats.Alerted, stats.DeadLetters);
        }

        if (options.Kafka.ExitWhenCaughtUp)
        {
            // One machine-readable line for benchmarks and tests: counts only, never a plate.
            await Console.Out.WriteLineAsync($"caught-up reads={stats.Reads} hits={stats.Hits} alerted={stats.Alerted} deadLetters={stats.DeadLetters} seconds={Seconds(busy?.Elapsed)} consumeSeconds={Seconds(consuming.Elapsed)} processSeconds={Seconds(processing.Elapsed)}").ConfigureAwait(false);
            lifetime.StopApplication();
        }
    }

    private static string Seconds(TimeSpan? span) => (span ?? TimeSpan.Zero).TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private async Task RunFolderAsync(CancellationToken stoppingToken)
    {
        await WaitForIndexAsync(stoppingToken).ConfigureAwait(false);
        var inbox = Path.GetFullPath(options.InboxPath);
        var done = Path.Combine(inbox, "done");
        Directory.CreateDirectory(done);
        readiness.SetSource(true, $"folder: {inbox}");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), services.Clock);
        try
        {
            do
            {
                foreach (var file in Directory.EnumerateFiles(inbox, "*.jsonl").Order(StringComparer.Ordinal).ToList())
                {
                    // Files still being written are left for the next tick (drop files by rename to be safe).
                    if (services.Clock.GetUtcNow() - File.GetLastWriteTimeUtc(file) < TimeSpan.FromSeconds(1))
                    {
                        continue;
                    }

                    await ProcessFileAsync(file, done, stoppingToken).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProcessFileAsync(string file, string done, CancellationToken stoppingToken)
    {
        var name = Path.GetFileName(file);
        var target = Path.Combine(done, name);
        await using (var source = new JsonLinesReadSource(file))
        await using (var deadLetters = new JsonLinesDeadLetterSink(JsonLinesDeadLetterSink.PathFor(target)))
        await using (var alerts = new JsonLinesAlertSink(Commands.ReplayCommand.StemPath(target, ".alerts.jsonl")))
        {
            var pipeline = new ReadPipeline(holder, services.Policy, services.Gate, services.Hits, alerts, deadLetters, services.Clock, PipelineMode.Live, stats);
            while (await source.NextBatchAsync(stoppingToken).ConfigureAwait(false) is { } batch)
            {
                await _resilience.ExecuteAsync(async ct => await pipeline.ProcessAsync(batch, ct).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
            }
        }

        // Moved only once every read is processed: a crash part-way re-processes the file, harmlessly.
        File.Move(file, target, overwrite: true);
        LogFileDone(name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pipeline stopped: {Reads} reads, {Hits} hits, {Alerted} alerted, {DeadLetters} dead letters")]
    private partial void LogStopped(long reads, long hits, long alerted, long deadLetters);

    [LoggerMessage(Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path}")]
    private partial void LogLibrdkafka(string version, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "processed {File}")]
    private partial void LogFileDone(string file);
}
