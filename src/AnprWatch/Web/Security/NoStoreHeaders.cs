using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace AnprWatch.Web.Security;

/// <summary>
/// <c>Cache-Control: no-store</c> on every response: the API and the pages carry plates, suspect references and
/// intelligence, which must never be kept by a browser, a proxy or a shared disk cache. Registered as a startup filter
/// so it wraps the whole pipeline, whatever the app's own wiring.
/// </summary>
public sealed class NoStoreHeaders : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.Pragma = "no-cache";
                return Task.CompletedTask;
            });
            await nextMiddleware(context).ConfigureAwait(false);
        });
        next(app);
    };
}
