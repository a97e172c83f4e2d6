using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using AnprWatch.Hosting;

namespace AnprWatch.Web.Security;

/// <summary>
/// Whether an authenticated caller's access is still live: a browser session must be open (not signed out) and its key
/// not revoked; an API-key caller's key must not be revoked. Answers are cached for at most <see cref="CacheFor"/>
/// (on the monotonic clock, not the app's clock, so a fixed test clock cannot freeze the cache), so a revocation or a
/// sign-out on any instance takes effect everywhere within that time.
/// </summary>
public sealed class SessionLiveness(AppServices services)
{
    public const string SessionClaim = "anprwatch:session";

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (bool Live, long At)> _cache = new(StringComparer.Ordinal);

    public async Task<bool> IsLiveAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var name = user.Identity?.Name;
        if (user.Identity?.IsAuthenticated != true || name is null)
        {
            return false;
        }

        var session = user.FindFirstValue(SessionClaim);
        var scheme = user.Identity.AuthenticationType;
        if (session is null && scheme != ApiKeyAuthenticationHandler.SchemeName)
        {
            return false; // a cookie from before server-side sessions, or forged without one: sign in again
        }

        var cacheKey = session is null ? "key\n" + name : "session\n" + session + "\n" + name;
        var now = Stopwatch.GetTimestamp();
        if (_cache.TryGetValue(cacheKey, out var cached) && Stopwatch.GetElapsedTime(cached.At, now) < CacheFor)
        {
            return cached.Live;
        }

        var live = session is null
            ? await services.Keys.IsLiveAsync(name, cancellationToken).ConfigureAwait(false)
            : await services.Keys.IsSessionLiveAsync(session, name, cancellationToken).ConfigureAwait(false);
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear();
        }

        _cache[cacheKey] = (live, now);
        return live;
    }

    /// <summary>Drops a cached answer at once (sign-out on this instance).</summary>
    public void Forget(string session, string name) => _cache.TryRemove("session\n" + session + "\n" + name, out _);
}
