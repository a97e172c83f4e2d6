using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace AnprWatch.Worker;

/// <summary>
/// A store or broker outage pauses the pipeline on the batch in hand: retry with backoff, a circuit breaker to stop
/// hammering a dead store, and no end to retrying, because skipping a batch would lose hits (DESIGN §6).
/// </summary>
public static class StoreResilience
{
    /// <summary>How often a corrupt store is logged again at Critical while the batch in hand keeps failing on it.</summary>
    public static readonly TimeSpan CorruptRepeat = TimeSpan.FromMinutes(10);

    /// <param name="onRetry">Told of each failed attempt (the error's message): serve's readiness tracks a stalled worker.</param>
    public static ResiliencePipeline Create(ILogger logger, Action<string>? onRetry = null)
    {
        // Only transient failures are retried; a deterministic one surfaces at once for the BatchRunner to isolate.
        var handled = new PredicateBuilder().Handle<Exception>(FailureClassifier.IsTransient);

        // When STORE CORRUPT last went out at Critical. A corrupt file fails every attempt until someone restores it, and
        // attempts come every 5 s at most: Critical on each would page the on-call 700 times an hour for one fault.
        long lastCritical = long.MinValue;

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = handled,
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    var error = args.Outcome.Exception is { } failed ? FailureClassifier.Describe(failed) : "unknown error";
                    if (args.Outcome.Exception is { } corrupt && FailureClassifier.IsCorrupt(corrupt))
                    {
                        // Waiting will not mend a corrupt file: an operator must restore it, so this is Critical, not
                        // one more "retrying" warning among many; once for the batch in hand, then again every
                        // CorruptRepeat while it lasts, and the same line at Warning on the attempts between.
                        var now = Environment.TickCount64;
                        var level = args.AttemptNumber == 0 || now - Interlocked.Read(ref lastCritical) >= (long)CorruptRepeat.TotalMilliseconds
                            ? LogLevel.Critical
                            : LogLevel.Warning;
                        if (level == LogLevel.Critical)
                        {
                            Interlocked.Exchange(ref lastCritical, now);
                        }

                        logger.Log(level, "STORE CORRUPT: {Error}. The worker is paused on the batch in hand (attempt {Attempt}); it resumes once the store is restored", error, args.AttemptNumber + 1);
                    }
                    else
                    {
                        logger.LogWarning("batch failed (attempt {Attempt}), retrying in {Delay}: {Error}", args.AttemptNumber + 1, args.RetryDelay, error);
                    }

                    onRetry?.Invoke(error);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = handled,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(5),
                OnOpened = _ =>
                {
                    logger.LogError("store or broker unavailable: consumption paused, no offsets advance until it recovers");
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("store and broker reachable again: consumption resumed");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
