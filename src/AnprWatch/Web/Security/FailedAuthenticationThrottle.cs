using System.Collections.Concurrent;

namespace AnprWatch.Web.Security;

/// <summary>
/// Slows key guessing: once a client (remote address) has failed to authenticate <c>limit</c> times within
/// <c>window</c>, every credentialed request from it is refused with 429 until its oldest failure leaves the window.
/// A success does not clear the count, so one valid key cannot be used to keep guessing others.
/// </summary>
public sealed class FailedAuthenticationThrottle(TimeProvider clock, int limit, TimeSpan window)
{
    // Bounded so a flood from many addresses cannot grow memory without end; expired entries are pruned first.
    private const int MaxClients = 100_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    public int Limit => limit;

    /// <summary>How long <paramref name="client"/> must wait, or <c>null</c> when it may try now.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        if (!_failures.TryGetValue(client, out var times))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        lock (times)
        {
            Expire(times, now);
            return times.Count >= limit ? times.Peek() + window - now : null;
        }
    }

    public void RecordFailure(string client)
    {
        var now = clock.GetUtcNow();
        if (_failures.Count >= MaxClients)
        {
            Prune(now);
        }

        var times = _failures.GetOrAdd(client, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Expire(times, now);
            times.Enqueue(now);
            while (times.Count > limit)
            {
                times.Dequeue();
            }
        }
    }

    private void Expire(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && times.Peek() + window <= now)
        {
            times.Dequeue();
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (client, times) in _failures)
        {
            lock (times)
            {
                Expire(times, now);
                if (times.Count == 0)
                {
                    _failures.TryRemove(client, out _);
                }
            }
        }

        if (_failures.Count >= MaxClients)
        {
            _failures.Clear(); // still full of live entries: an attack from everywhere; start counting afresh
        }
    }
}
