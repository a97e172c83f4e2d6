namespace AnprWatch.Notifications;

/// <summary>
/// When a failed notification is tried again: exponential backoff with jitter, as Polly's retry strategy computes it
/// (<c>DelayBackoffType.Exponential</c>, <c>UseJitter</c>), but kept in the store (next_attempt_at_ms) so it survives
/// restarts. Attempt n waits base × 2^(n-1), capped at max, then scaled by a random factor in [0.75, 1.25) (never past
/// max) so instances recovering from one outage do not hammer the receiver in step.
/// </summary>
public static class RetryBackoff
{
    public const double JitterLow = 0.75;
    public const double JitterHigh = 1.25;

    /// <param name="failedAttempts">Attempts failed so far, including the one just made (1 after the first failure).</param>
    /// <param name="random01">A sample in [0, 1); tests pass fixed values.</param>
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double random01)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var raw = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        var jittered = raw * (JitterLow + ((JitterHigh - JitterLow) * random01));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, maxDelay.TotalMilliseconds));
    }
}
