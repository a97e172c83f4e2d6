using System.Globalization;
using System.Security.Claims;
using AnprWatch.Board;
using AnprWatch.Cli;
using AnprWatch.Core.Hits;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
using AnprWatch.Web.Security;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Api;

/// <summary>
/// <c>GET /api/alerts/stream</c>: alerted hits as server-sent events, oldest first. Each event's id is its position
/// in the feed (<c>recordedAtMs:hitId</c>), so a board that reconnects with <c>Last-Event-ID</c> resumes exactly
/// where it stopped: nothing lost, nothing repeated. Only that initial window (or replay) reads the store; after it the
/// board is fed by <see cref="BoardFeed"/> (alerts as the pipeline stores them, acknowledgements and outcomes as they
/// are recorded, as <c>outcome</c> events), and one change cursor per instance brings what other instances record.
/// </summary>
public static class AlertStream
{
    /// <summary>Alerts per store query while a board loads its window.</summary>
    public const int Page = 200;

    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Backfill = TimeSpan.FromHours(12);

    /// <summary>How often an open stream re-checks that its session and key are still live.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static async Task StreamAsync(HttpContext context, AppServices services, SessionLiveness liveness, BoardWindow window, BoardFeed feed, string? force, string? lastEventId)
    {
        string? code = null;
        if (force is not null)
        {
            if (!Core.Forces.ForceRegistry.TryGet(force, out var found))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error = $"force '{force}' is not a known force code" }).ConfigureAwait(false);
                return;
            }

            code = found.Code;
        }

        // A scoped key streams only alerts routed to its forces; asking for another force is refused and audited.
        var scope = AccessScope.Of(context.User);
        if (code is not null && !scope.Covers(code))
        {
            try
            {
                await AccessScope.Refuse(context, services, $"the alert stream for {code}").ConfigureAwait(false);
            }
            catch (OutOfScopeException ex)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new { error = ex.Message }).ConfigureAwait(false);
                return;
            }
        }

        var now = services.Clock.GetUtcNow();
        var asked = ParseCursor(context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId);
        var (cursorMs, cursorId) = asked ?? (now.Subtract(Backfill).ToUnixTimeMilliseconds(), "");
        var from = $"{cursorMs}:{AuditText(cursorId)}";

        // A replay reaches back no further than the board window, whatever cursor the client sends.
        var earliestMs = window.Earliest(now).ToUnixTimeMilliseconds() - 1;
        if (cursorMs < earliestMs)
        {
            (cursorMs, cursorId) = (earliestMs, "");

            // The audit keeps the cursor the client sent beside the one it got: a reach past the window ("0:") is
            // itself worth seeing.
            from = asked is null ? $"{cursorMs}:" : $"{from} (replayed from {cursorMs}:, the start of the board window)";
        }

        var stream = $"alert stream{(code is null ? "" : " force " + code)}{(scope.IsNational ? "" : " scope " + scope.Label)} from {from}";
        await context.RecordAsync(services, AuditActions.Consult, stream).ConfigureAwait(false);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        // Subscribe before reading the window, so nothing stored in between is missed; what both carry is sent once.
        using var subscription = feed.Subscribe(code);
        var sent = 0;
        var ended = "the client went away";
        var backfilled = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // The initial window (or the Last-Event-ID replay): the only store query a board makes.
            while (true)
            {
                feed.CountStoreQuery();
                var hits = await services.Hits.AlertedAfterAsync(cursorMs, cursorId, code, Page, context.RequestAborted, scope.Filter).ConfigureAwait(false);
                if (hits.Count == 0)
                {
                    break;
                }

                var history = await services.Outcomes.HistoryAsync(hits.Select(h => h.HitId).ToList(), context.RequestAborted).ConfigureAwait(false);
                foreach (var hit in hits)
                {
                    cursorMs = hit.RecordedAt.ToUnixTimeMilliseconds();
                    cursorId = hit.HitId;
                    backfilled.Add(hit.HitId);
                    var item = BoardJson.Alert(hit, history.TryGetValue(hit.HitId, out var outcomes) ? outcomes : []);
                    await context.Response.WriteAsync(item.Wire, context.RequestAborted).ConfigureAwait(false);
                    sent++;
                }

                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                if (hits.Count < Page)
                {
                    break;
                }
            }

            // The board knows its window is complete: from here on a new urgent alert is news (sound, title).
            await context.Response.WriteAsync("event: ready\ndata: {}\n\n", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

            var quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
            var checkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            while (!context.RequestAborted.IsCancellationRequested)
            {
                // Streams follow their key: a revoked key or an ended session closes the stream within seconds.
                if (System.Diagnostics.Stopwatch.GetElapsedTime(checkedAt) >= Recheck)
                {
                    checkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (!await liveness.IsLiveAsync(context.User, context.RequestAborted).ConfigureAwait(false))
                    {
                        ended = "the key was revoked or the session ended";
                        break;
                    }
                }

                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
                {
                    wait.CancelAfter(Recheck);
                    try
                    {
                        more = await subscription.Events.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                    {
                        more = true; // the re-check is due; nothing arrived
                    }
                }

                if (!more)
                {
                    ended = subscription.Overflowed ? "the board fell too far behind (it reconnects and reloads)" : "the feed closed";
                    break;
                }

                var wrote = false;
                while (subscription.Events.TryRead(out var item))
                {
                    if (item.Name == "alert" && backfilled.Contains(HitIdOf(item)))
                    {
                        continue;
                    }

                    // Live events follow the key's scope as the window did: routed to one of its forces (camera or host).
                    if (!scope.IsNational && !scope.Covers(item.CameraForce) && !scope.Covers(item.HostForce))
                    {
                        continue;
                    }

                    await context.Response.WriteAsync(item.Wire, context.RequestAborted).ConfigureAwait(false);
                    wrote = true;
                    if (item.Name == "alert")
                    {
                        sent++;
                    }
                }

                if (wrote)
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                else if (System.Diagnostics.Stopwatch.GetElapsedTime(quietSince) >= KeepAlive)
                {
                    // A comment line now and then keeps proxies from closing an idle stream.
                    await context.Response.WriteAsync(": keep-alive\n\n", context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    quietSince = System.Diagnostics.Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the board went away
        }

        // The close is audited with what the subscription disclosed; the request is over, so no request token.
        await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), context.User.Identity?.Name ?? "unknown",
            context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown", AuditActions.Disclose,
            $"{stream} closed: {ended} ({sent} rows sent)"), CancellationToken.None).ConfigureAwait(false);
    }

    private static (long Ms, string Id)? ParseCursor(string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || !long.TryParse(value.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return null;
        }

        return (ms, value![(colon + 1)..]);
    }

    /// <summary>A cursor's id as the audit records it: the client's text, cut to the longest hit id plus a little.</summary>
    private static string AuditText(string id) => id.Length <= 40 ? id : id[..40] + "…";

    /// <summary>The hit id of an alert event, from its cursor id (<c>recordedAtMs:hitId</c>).</summary>
    private static string HitIdOf(BoardEvent item) => item.Id is { } id ? id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..] : "";
}
