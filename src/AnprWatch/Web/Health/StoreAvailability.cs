using AnprWatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Health;

/// <summary>
/// The web side of the store guard. While the store is known not to be the one serve started with (vanished,
/// replaced, restored from an earlier copy), the API and pages answer 503 instead of reading another store's data or
/// checking keys against it; a write (an outcome, a marker upload, a sign-in) first probes the store afresh, so it is
/// never recorded in a store swapped in since the last check. The probes (/healthz, /readyz) and /openapi stay open.
/// </summary>
public static class StoreAvailability
{
    public static IApplicationBuilder UseStoreAvailability(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/openapi"))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var guard = context.RequestServices.GetService(typeof(StoreGuard)) as StoreGuard;
        var problem = guard?.Problem;
        if (guard is not null && problem is null && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            problem = await guard.CheckAsync(context.RequestAborted).ConfigureAwait(false);
        }

        if (problem is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // The detail names no path or id of the store: it is for the operator's logs and /readyz, not for a browser.
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "30";
        await Results.Problem(
            title: "The store is unavailable",
            detail: "AnprWatch's store is not the one this service started with, or cannot be opened. Nothing was read or recorded; try again shortly.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context).ConfigureAwait(false);
    });
}
