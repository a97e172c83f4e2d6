using System.Security.Claims;
using AnprWatch.Hosting;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Web.Pages;

/// <summary>
/// The browser surface: sign in with a key (a cookie session follows), sign out, and the alert board. Pages are
/// static HTML shipped in the assembly; everything they show comes from the API and is rendered as text, never markup.
/// </summary>
public static class PageEndpoints
{
    public static IEndpointRouteBuilder MapAnprWatchPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/board")).AllowAnonymous();
        app.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery, string? error) => Page(context, antiforgery, "signin.html", SignInError(error))).AllowAnonymous();
        app.MapPost("/signin", SignInAsync).AllowAnonymous();
        app.MapPost("/signout", SignOutAsync).RequireAuthorization();
        app.MapGet("/denied", (HttpContext context) =>
        {
            var role = context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
            var body = $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AnprWatch · not allowed</title></head><body>" +
                       $"<h1>Not allowed</h1><p id=\"denied\">Your role ({System.Net.WebUtility.HtmlEncode(role)}) cannot open that page.</p><p><a href=\"/signin\">Sign in with another key</a></p></body></html>";
            return Results.Content(body, "text/html; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }).AllowAnonymous();
        app.MapGet("/board", (HttpContext context, IAntiforgery antiforgery, Board.BoardOptions board) => Page(context, antiforgery, "board.html", null, board)).RequireAuthorization(WebSecurity.Alerts);
        app.MapGet("/markers", (HttpContext context, IAntiforgery antiforgery) => Page(context, antiforgery, "markers.html", null)).RequireAuthorization(WebSecurity.Markers);
        app.MapGet("/reports", (HttpContext context, IAntiforgery antiforgery) => Page(context, antiforgery, "reports.html", null)).RequireAuthorization(WebSecurity.Reports);
        return app;
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string name, string? error, Board.BoardOptions? board = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);

        // The page's own <script> and <style> elements carry a fresh nonce; nothing else inline may run or style.
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var html = Load(name)
            .Replace("<script>", $"<script nonce=\"{nonce}\">", StringComparison.Ordinal)
            .Replace("<style>", $"<style nonce=\"{nonce}\">", StringComparison.Ordinal)
            .Replace("{{csrf}}", System.Net.WebUtility.HtmlEncode(tokens.RequestToken), StringComparison.Ordinal)
            .Replace("{{user}}", System.Net.WebUtility.HtmlEncode(context.User.Identity?.Name ?? ""), StringComparison.Ordinal)
            .Replace("{{error}}", error is null ? "" : System.Net.WebUtility.HtmlEncode(error), StringComparison.Ordinal)
            .Replace("{{forces}}", ForcesJsonFor(context.User), StringComparison.Ordinal)
            .Replace("{{today}}", Cli.Output.Iso(Core.Time.UkTime.Today(context.RequestServices.GetRequiredService<AppServices>().Clock)), StringComparison.Ordinal)
            .Replace("{{scope}}", System.Net.WebUtility.HtmlEncode(AccessScope.Of(context.User).Label), StringComparison.Ordinal)
            .Replace("{{imageHosts}}", System.Text.Json.JsonSerializer.Serialize(board?.ImageHosts ?? []).Replace("<", "\\u003c", StringComparison.Ordinal), StringComparison.Ordinal);

        // The board may show plate and overview images, from the configured hosts only (Board:ImageHosts) and nothing else.
        var images = board is null ? "" : $"; img-src {board.ImageSources}";
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'{images}";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private const string InvalidKey = "invalid-key";
    private const string NoPages = "no-pages";

    /// <summary>
    /// The sign-in page shows only these messages, chosen by code: text from the query string is never shown, so a
    /// crafted link cannot put words ("call this number…") on the sign-in page.
    /// </summary>
    private static readonly Dictionary<string, string> SignInErrors = new(StringComparer.Ordinal)
    {
        [InvalidKey] = "That key is not valid (or has been revoked).",
        [NoPages] = "The web pages for this role are not built yet; use the API.",
    };

    private static string? SignInError(string? code) => code is not null && SignInErrors.TryGetValue(code, out var message) ? message : null;

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, AppServices services, FailedAuthenticationThrottle throttle)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.BadRequest("the form expired: reload the sign-in page");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var identity = await services.Keys.FindAsync(form["key"].ToString().Trim(), context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            throttle.RecordFailure(ThrottleMiddleware.Client(context));
            await RefusalAudit.RecordAsync(context, services, "unknown", "none", "sign-in refused: unknown or revoked API key").ConfigureAwait(false);
            return Results.Redirect("/signin?error=" + InvalidKey);
        }

        var session = await services.Keys.StartSessionAsync(identity.Name, context.RequestAborted).ConfigureAwait(false);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            ApiKeyAuthenticationHandler.Principal(identity.Name, identity.Role, CookieAuthenticationDefaults.AuthenticationScheme, session, identity.Scope)).ConfigureAwait(false);
        await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), identity.Name, identity.Role, AuditActions.Consult, "web sign-in"), context.RequestAborted).ConfigureAwait(false);
        return Results.Redirect(identity.Role switch
        {
            Roles.ControlRoom or Roles.Admin => "/board",
            Roles.Analyst => "/reports",
            Roles.Bureau => "/markers",
            _ => "/signin?error=" + NoPages,
        });
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, AppServices services, SessionLiveness liveness)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.BadRequest("the form expired");
        }

        // End the session on the server too, so a copy of the cookie stops working.
        if (context.User.FindFirstValue(SessionLiveness.SessionClaim) is { } session)
        {
            await services.Keys.EndSessionAsync(session, context.RequestAborted).ConfigureAwait(false);
            liveness.Forget(session, context.User.Identity?.Name ?? "");
        }

        // Sign-in is audited, so is its end: the audit shows when a desk's access to CSE intelligence stopped.
        await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), context.User.Identity?.Name ?? "unknown",
            context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown", AuditActions.Consult, "web sign-out"), context.RequestAborted).ConfigureAwait(false);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.Redirect("/signin");
    }

    /// <summary>
    /// The forces a page offers: the key's own (so a scoped key's pages default to its force), or all for a national key.
    /// System.Text.Json escapes '&lt;', '&gt;' and '&amp;' by default, so this is safe inside a &lt;script&gt; element.
    /// </summary>
    private static string ForcesJsonFor(ClaimsPrincipal user)
    {
        var scope = AccessScope.Of(user);
        return System.Text.Json.JsonSerializer.Serialize(
            Core.Forces.ForceRegistry.All.Where(f => scope.Covers(f.Code)).Select(f => new { code = f.Code, name = f.Name, region = f.Region }));
    }

    private static string Load(string name)
    {
        using var stream = typeof(PageEndpoints).Assembly.GetManifestResourceStream("pages." + name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
