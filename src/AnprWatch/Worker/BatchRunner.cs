using AnprWatch.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Polly;

namespace AnprWatch.Worker;

/// <summary>
/// Runs one batch through the pipeline so that nothing stops the matching. Transient failures pause on the batch in
/// hand (retry with backoff, circuit breaker). A deterministic failure is bisected: each half is run on its own until
/// the reads that fail alone are found; those go to the dead-letter sink with the reason and the rest are processed.
/// Re-running part of a batch is safe: hits are idempotent on (readId, markerId), alerts already delivered are not
/// re-sent, and the pipeline writes a batch's dead letters only once the batch has succeeded.
/// </summary>
public sealed partial class BatchRunner(ReadPipeline pipeline, IDeadLetterSink deadLetters, ResiliencePipeline resilience, ILogger logger)
{
    public long Isolated { get; private set; }

    /// <param name="drain">Cancelled only when the batch must be abandoned; shutdown finishes the batch in hand.</param>
    public async Task RunAsync(ReadBatch batch, CancellationToken drain)
    {
        try
        {
            await resilience.ExecuteAsync(async ct => await pipeline.ProcessAsync(batch, ct).ConfigureAwait(false), drain).ConfigureAwait(false);
        }
        catch (Exception ex) when (!FailureClassifier.IsTransient(ex) && !FailureClassifier.IsFatal(ex) && ex is not OperationCanceledException)
        {
            if (batch.Records.Count == 1)
            {
                var record = batch.Records[0];
                Isolated++;
                pipeline.Stats.AddDeadLettered(1);
                PipelineTelemetry.InternalErrors.Add(1, new KeyValuePair<string, object?>("stage", "batch"));
                LogIsolated(record.Position.ToString(), ex.GetType().Name);
                var letter = new DeadLetter(record.Position, $"internal: the read cannot be processed: {ex.GetType().Name}: {ex.Message}", record.Value);
                await resilience.ExecuteAsync(async ct => await deadLetters.WriteAsync([letter], ct).ConfigureAwait(false), drain).ConfigureAwait(false);
                return;
            }

            LogBisecting(batch.Records.Count, ex.GetType().Name);
            var half = batch.Records.Count / 2;
            var records = batch.Records as SourceRecord[] ?? [.. batch.Records];
            await RunAsync(new ReadBatch(records[..half]), drain).ConfigureAwait(false);
            await RunAsync(new ReadBatch(records[half..]), drain).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "a batch of {Reads} reads failed deterministically ({ExceptionType}): isolating the reads that cause it")]
    private partial void LogBisecting(int reads, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "the read at {Position} fails on its own ({ExceptionType}): dead-lettered, processing continues")]
    private partial void LogIsolated(string position, string exceptionType);
}
