using System.Collections.Concurrent;
using System.Diagnostics;
using AnprWatch.Hosting;

namespace AnprWatch.Web.Security;

/// <summary>
/// Records a key's "last used" for <c>keys list</c>, at most once per <see cref="Every"/> per key and instance, so a
/// busy board does not write to the store on every request (monotonic clock, like <see cref="SessionLiveness"/>).
/// </summary>
public sealed class KeyUsage(AppServices services)
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, long> _recorded = new(StringComparer.Ordinal);

    public async Task RecordAsync(string keyName, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        if (_recorded.TryGetValue(keyName, out var at) && Stopwatch.GetElapsedTime(at, now) < Every)
        {
            return;
        }

        _recorded[keyName] = now;
        await services.Keys.TouchAsync(keyName, cancellationToken).ConfigureAwait(false);
    }
}
