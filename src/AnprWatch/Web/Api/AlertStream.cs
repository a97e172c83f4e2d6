using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
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
/// where it stopped: nothing lost, nothing repeated. The feed reads the store, so every instance sees every alert.
/// </summary>
public static class AlertStream
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan Backfill = TimeSpan.FromHours(12);

    /// <summary>How often an open stream re-checks that its session and key are still live.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static async Task StreamAsync(HttpContext context, AppServices services, SessionLiveness liveness, BoardWindow window, string? force, string? lastEventId)
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
        var (cursorMs, cursorId) = ParseCursor(context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId)
            ?? (now.Subtract(Backfill).ToUnixTimeMilliseconds(), "");

        // A replay reaches back no further than the board window, whatever cursor the client sends.
        var earliestMs = window.Earliest(now).ToUnixTimeMilliseconds() - 1;
        if (cursorMs < earliestMs)
        {
            (cursorMs, cursorId) = (earliestMs, "");
        }

        var stream = $"alert stream{(code is null ? "" : " force " + code)}{(scope.IsNational ? "" : " scope " + scope.Label)} from {cursorMs}:{cursorId}";
        await context.RecordAsync(services, AuditActions.Consult, stream).ConfigureAwait(false);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        var quiet = TimeSpan.Zero;
        var sent = 0;
        var ended = "the client went away";
        var checkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
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

                var hits = await services.Hits.AlertedAfterAsync(cursorMs, cursorId, code, 200, context.RequestAborted, scope.Filter).ConfigureAwait(false);
                foreach (var hit in hits)
                {
                    cursorMs = hit.RecordedAt.ToUnixTimeMilliseconds();
                    cursorId = hit.HitId;
                    var json = JsonSerializer.Serialize(HitView.From(hit), ContractJson.Options);
                    await context.Response.WriteAsync($"id: {cursorMs}:{cursorId}\nevent: alert\ndata: {json}\n\n", context.RequestAborted).ConfigureAwait(false);
                    sent++;
                }

                if (hits.Count > 0)
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    quiet = TimeSpan.Zero;
                    continue;
                }

                // A comment line now and then keeps proxies from closing an idle stream.
                quiet += Poll;
                if (quiet >= TimeSpan.FromSeconds(15))
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    quiet = TimeSpan.Zero;
                }

                await Task.Delay(Poll, services.Clock, context.RequestAborted).ConfigureAwait(false);
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
}
