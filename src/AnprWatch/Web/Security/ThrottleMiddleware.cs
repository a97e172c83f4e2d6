using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Web.Security;

/// <summary>Refuses credentialed requests from a client that has failed to authenticate too often (before any key lookup).</summary>
public static class ThrottleMiddleware
{
    public static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>A request that presents a credential: an API key header or the sign-in form.</summary>
    private static bool PresentsCredential(HttpRequest request)
        => ApiKeyAuthenticationHandler.IsPresentedBy(request) || (HttpMethods.IsPost(request.Method) && request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase));

    public static IApplicationBuilder UseFailedAuthenticationThrottle(this IApplicationBuilder app)
    {
        var throttle = app.ApplicationServices.GetRequiredService<FailedAuthenticationThrottle>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ThrottleMiddleware));
        return app.Use(async (context, next) =>
        {
            if (PresentsCredential(context.Request) && throttle.RetryAfter(Client(context)) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                logger.LogWarning("authentication throttled for {Client}: {Limit} failures in the window; retry in {Seconds} s", Client(context), throttle.Limit, seconds);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { error = $"too many failed sign-ins from this address; try again in {seconds} s" }).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }
}
