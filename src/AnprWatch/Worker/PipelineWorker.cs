using System.Diagnostics;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Hosting;
using AnprWatch.Kafka;
using AnprWatch.Sinks;
using AnprWatch.Sources;
using AnprWatch.Sources.Inbox;
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
    Core.Locations.LocationIndexHolder locations,
    PipelineStats stats,
    ServeOptions options,
    Readiness readiness,
    WorkerFault fault,
    GuardedHitStore hits,
    Board.BoardFeed boards,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineWorker> logger) : BackgroundService
{
    private readonly ResiliencePipeline _resilience = StoreResilience.Create(logger, error => readiness.BatchFailed(services.Clock.GetUtcNow(), error));

    // One detector for the worker's life, shared by the pipelines it builds one after another (a folder's files are
    // processed in turn), so a vehicle seen in one file is remembered in the next.
    private readonly Core.Hits.Clones.CloneDetector _clones = services.NewCloneDetector();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Nothing is read before the host has started (Kestrel listening): a serve that cannot bind its port must not
            // first take a file from the inbox or a batch from Kafka and then exit half-way.
            await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
            await (options.SourceKind switch
            {
                // librdkafka's consumer blocks: it gets a thread of its own rather than a thread-pool thread.
                "kafka" => Task.Factory.StartNew(() => RunKafkaAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
                "folder" => RunFolderAsync(stoppingToken),
                _ => RunNoneAsync(),
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The worker cannot go on: say so loudly and stop the process non-zero, so systemd or Kubernetes restarts it.
            fault.Record(ex);
            readiness.SetSource(false, "worker stopped: " + ex.GetType().Name);
            LogWorkerFailed(ex.GetType().Name, ex.Message);
            lifetime.StopApplication();
        }
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var onStart = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        var onStop = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task.ContinueWith(
            t =>
            {
                onStart.Dispose();
                onStop.Dispose();
                return t;
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    private BatchRunner Runner(ReadPipeline pipeline, IDeadLetterSink deadLetters) => new(pipeline, deadLetters, _resilience, logger);

    private ReadPipeline Pipeline(IAlertSink alerts, IDeadLetterSink deadLetters)
        => services.NewPipeline(PipelineMode.Live, holder, locations, hits, new Board.BroadcastingAlertSink(alerts, boards), deadLetters, stats, _clones, logger);

    private Task RunNoneAsync()
    {
        readiness.SetSource(true, "none (web and API only)");
        return Task.CompletedTask;
    }

    private async Task WaitForIndexAsync(CancellationToken stoppingToken)
    {
        // Matching against an empty index before the first load would silently miss every hit.
        while (!holder.IsLoaded || !locations.IsLoaded)
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
        var runner = Runner(Pipeline(alerts, deadLetters), deadLetters);
        var drain = CancellationToken.None;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ReadBatch? batch;
                try
                {
                    batch = await source.NextBatchAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (batch is null)
                {
                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }

                    throw new InvalidOperationException("the Kafka consumer stopped fetching without being asked to");
                }

                if (source.Inner.HasJoined)
                {
                    readiness.SetSource(true, $"kafka: {source.Inner.AssignedCount} partitions of {options.Kafka.ReadsTopic}");
                }

                if (batch.Records.Count > 0)
                {
                    // The batch in hand is finished even during shutdown: its hits become durable, then its offsets are stored.
                    await runner.RunAsync(batch, drain).ConfigureAwait(false);
                    readiness.BatchSucceeded();
                    await source.CompleteAsync(batch, drain).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            readiness.Lag = () => null;
            try
            {
                source.Close();
            }
            catch (Confluent.Kafka.KafkaException ex)
            {
                // Not a reason to exit non-zero: uncommitted batches are re-delivered to the next owner, and re-processing
                // them stores no hit twice and re-sends no acknowledged alert.
                LogCloseFailed(ex.Error.Reason);
            }
            LogStopped(stats.Reads, stats.Hits, stats.Alerted, stats.DeadLetters);
        }
    }

    private async Task RunFolderAsync(CancellationToken stoppingToken)
    {
        await WaitForIndexAsync(stoppingToken).ConfigureAwait(false);
        var folder = new InboxFolder(options.InboxPath);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), services.Clock);
        FileStream? inboxLock;
        while ((inboxLock = folder.TryLock()) is null)
        {
            readiness.SetSource(false, $"folder: another instance holds {folder.Inbox}; waiting for it");
            await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }

        await using var held = inboxLock;
        readiness.SetSource(true, $"folder: {folder.Inbox}");
        try
        {
            // A file claimed before a crash is finished first, in claim order, before anything new is taken.
            foreach (var interrupted in folder.Interrupted())
            {
                LogResuming(interrupted.Stem);
                await ProcessFileAsync(folder, interrupted).ConfigureAwait(false);
            }

            var outputsPurgedAt = DateTimeOffset.MinValue;
            do
            {
                foreach (var dropped in folder.Dropped(services.Clock.GetUtcNow()))
                {
                    stoppingToken.ThrowIfCancellationRequested();
                    await ProcessFileAsync(folder, folder.Claim(dropped)).ConfigureAwait(false);
                }

                // Always, not only while keeping is on: turning it off must not leave earlier inputs (every miss) for ever.
                folder.PurgeKeptInputs(services.Clock.GetUtcNow(), options.KeepProcessedFor);

                // Outputs follow the hit retention; looked at hourly (done/ grows by three files per input).
                if (services.Clock.GetUtcNow() - outputsPurgedAt >= TimeSpan.FromHours(1))
                {
                    outputsPurgedAt = services.Clock.GetUtcNow();
                    if (folder.PurgeOutputs(outputsPurgedAt, TimeSpan.FromDays(services.Options.RetentionHitDays)) is var purged and > 0)
                    {
                        LogOutputsPurged(purged, services.Options.RetentionHitDays);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProcessFileAsync(InboxFolder folder, ClaimedFile file)
    {
        var before = (stats.Reads, stats.Hits, stats.Alerted, stats.DeadLetters);
        JsonLinesReadSource opened;
        try
        {
            // A link is never followed: one dropped link would turn any file the service can read (its environment,
            // the database, /dev/zero) into "reads" and dead letters. Only regular files dropped by rename are inputs.
            if (new FileInfo(file.Input).LinkTarget is { } target)
            {
                throw new IOException($"a symbolic link (to {target}) is not followed: drop the file itself, by rename");
            }

            opened = new JsonLinesReadSource(RegularFile.OpenForRead(file.Input), options.FolderBatchSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // One unreadable file must not stop every later one: it is set aside with its reason and the inbox goes on.
            folder.SetAside(file, $"{ex.GetType().Name}: {ex.Message}");
            LogSetAside(file.Stem, ex.GetType().Name);
            return;
        }

        long consumed;
        await using (var source = opened)
        await using (var deadLetters = new JsonLinesDeadLetterSink(file.DeadLetters, OutputMode.Resume))
        await using (var alerts = new JsonLinesAlertSink(file.Alerts, OutputMode.Resume))
        {
            var runner = Runner(Pipeline(alerts, deadLetters), deadLetters);

            // A file is finished even during shutdown, batch by batch, so its outputs are never half of a run; SIGTERM
            // waits for it (HostOptions.ShutdownTimeout) and a kill leaves it claimed, to be resumed.
            while (await source.NextBatchAsync(CancellationToken.None).ConfigureAwait(false) is { } batch)
            {
                await runner.RunAsync(batch, CancellationToken.None).ConfigureAwait(false);
                readiness.BatchSucceeded();
            }

            consumed = source.Position;
        }

        // A file written in place (cp, a slow upload) rather than dropped by rename can grow after it was claimed: its
        // later lines were never read. Deleting it would lose them without a word; it is set aside with the reason.
        if (new FileInfo(file.Input).Length is var length && length > consumed)
        {
            folder.SetAside(file, $"the file grew while it was processed ({consumed:N0} bytes read, now {length:N0}): it was written in place, not dropped by rename. " +
                                  $"The lines after byte {consumed:N0} were not processed: drop the file again, by rename, to process them (the rest is idempotent)");
            LogGrew(file.Stem);
            return;
        }

        // CancellationToken.None: a file is finished even during shutdown; a SIGTERM here left it unreceipted and re-read whole.
        var receipt = new FileReceipt(file.Stem, await ClaimedFile.Sha256Async(file.Input, CancellationToken.None).ConfigureAwait(false),
            stats.Reads - before.Reads, stats.Hits - before.Hits, stats.Alerted - before.Alerted, stats.DeadLetters - before.DeadLetters, services.Clock.GetUtcNow());
        await file.FinishAsync(receipt, options.KeepProcessedFor, CancellationToken.None).ConfigureAwait(false);
        LogFileDone(file.Stem);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "the worker cannot go on and the process is stopping with exit code 1: {ExceptionType}: {Error}")]
    private partial void LogWorkerFailed(string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the consumer could not commit or leave the group cleanly at shutdown ({Reason}); the next owner re-processes the uncommitted reads")]
    private partial void LogCloseFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{File} cannot be read ({ExceptionType}): set aside in failed/ with the reason; the inbox carries on")]
    private partial void LogSetAside(string file, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{File} grew while it was processed (written in place, not dropped by rename): set aside in failed/ with the reason")]
    private partial void LogGrew(string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "resuming {File}, interrupted before it finished: its outputs are appended to, not repeated")]
    private partial void LogResuming(string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "pipeline stopped: {Reads} reads, {Hits} hits, {Alerted} alerted, {DeadLetters} dead letters")]
    private partial void LogStopped(long reads, long hits, long alerted, long deadLetters);

    [LoggerMessage(Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path}")]
    private partial void LogLibrdkafka(string version, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "folder source: {Count} output files older than {Days} days deleted (Retention:HitDays)")]
    private partial void LogOutputsPurged(int count, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "processed {File}")]
    private partial void LogFileDone(string file);
}
