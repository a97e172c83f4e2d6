using System.Globalization;
using System.Text.Json;
using AnprWatch.Cli;
using AnprWatch.Core.Hits;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
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

    public static async Task StreamAsync(HttpContext context, AppServices services, string? force, string? lastEventId)
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

        var (cursorMs, cursorId) = ParseCursor(context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId)
            ?? (services.Clock.GetUtcNow().Subtract(Backfill).ToUnixTimeMilliseconds(), "");
        await context.RecordAsync(services, AuditActions.Consult, $"alert stream{(code is null ? "" : " force " + code)}").ConfigureAwait(false);

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

        var quiet = TimeSpan.Zero;
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                var hits = await services.Hits.AlertedAfterAsync(cursorMs, cursorId, code, 200, context.RequestAborted).ConfigureAwait(false);
                foreach (var hit in hits)
                {
                    cursorMs = hit.RecordedAt.ToUnixTimeMilliseconds();
                    cursorId = hit.HitId;
                    var json = JsonSerializer.Serialize(HitView.From(hit), ContractJson.Options);
                    await context.Response.WriteAsync($"id: {cursorMs}:{cursorId}\nevent: alert\ndata: {json}\n\n", context.RequestAborted).ConfigureAwait(false);
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
