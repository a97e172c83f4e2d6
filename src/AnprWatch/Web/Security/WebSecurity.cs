using AnprWatch.Storage.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Web.Security;

/// <summary>
/// Who may do what (DESIGN §4.7). Every endpoint names one of these policies; admin satisfies all of them.
/// An API key authenticates API calls; a browser signs in once with a key and carries a cookie session.
/// </summary>
public static class WebSecurity
{
    public const string Markers = "markers";
    public const string Alerts = "alerts";
    public const string Hits = "hits";
    public const string Reports = "reports";
    public const string Admin = "admin";
    public const string Locations = "locations";

    /// <summary>Policy → roles, also the table the role × endpoint tests are generated from.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> PolicyRoles = new Dictionary<string, string[]>
    {
        [Markers] = [Roles.Bureau, Roles.Admin],
        [Alerts] = [Roles.ControlRoom, Roles.Admin],
        [Hits] = [Roles.Analyst, Roles.Admin],
        [Reports] = [Roles.Analyst, Roles.Admin],
        [Admin] = [Roles.Admin],
        [Locations] = [Roles.Bureau, Roles.Analyst, Roles.Admin], // DESIGN §8: bureau and analysts keep the CSE location flags
    };

    private const string Either = "ApiKeyOrCookie";

    public static IServiceCollection AddAnprWatchSecurity(this IServiceCollection services, Worker.ServeOptions options)
    {
        services.AddSingleton<SessionLiveness>();
        services.AddSingleton<KeyUsage>();

        // One Data Protection key ring in the store for every replica, kept across restarts: a cookie or antiforgery
        // token issued by one instance is accepted by the others and by the same instance after a restart.
        services.AddDataProtection().SetApplicationName("anprwatch");
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = new StoreXmlRepository(new Storage.Access.DataProtectionKeyStore(sp.GetRequiredService<Storage.Database>(), sp.GetRequiredService<TimeProvider>()))));
        services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ForwardedHeadersSetup>();
        services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, NoStoreHeaders>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RefusalAudit.AuthorizationResultHandler>();
        services.AddSingleton(sp => Api.BoardWindow.Load(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddSingleton(sp => new FailedAuthenticationThrottle(sp.GetRequiredService<TimeProvider>(), options.FailedAuthLimit, options.FailedAuthWindow));
        services.AddAuthentication(Either)
            .AddPolicyScheme(Either, Either, o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.IsPresentedBy(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "anprwatch";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
                o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = false;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/denied";

                // API callers get status codes, not redirects to a sign-in page.
                o.Events.OnRedirectToLogin = context => Reject(context, Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Reject(context, Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden);

                // Sessions follow their key: every cookie request re-checks (through a cache of a few seconds) that the
                // session is open and its key not revoked; if not, the request is anonymous and the cookie is cleared.
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            });

        // Cookie-authenticated changes (the board's outcome buttons) must carry the page's antiforgery token.
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "anprwatch-csrf";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Markers, p => p.RequireRole(PolicyRoles[Markers]))
            .AddPolicy(Alerts, p => p.RequireRole(PolicyRoles[Alerts]))
            .AddPolicy(Hits, p => p.RequireRole(PolicyRoles[Hits]))
            .AddPolicy(Reports, p => p.RequireRole(PolicyRoles[Reports]))
            .AddPolicy(Admin, p => p.RequireRole(PolicyRoles[Admin]))
            .AddPolicy(Locations, p => p.RequireRole(PolicyRoles[Locations]));
        return services;
    }

    /// <summary>
    /// A browser (cookie) session changing data must present the antiforgery token; API-key callers are not
    /// browsers, so there is no ambient credential to forge and the header is not required.
    /// </summary>
    public static async ValueTask<object?> RequireAntiforgeryForCookies(Microsoft.AspNetCore.Http.EndpointFilterInvocationContext context, Microsoft.AspNetCore.Http.EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!ApiKeyAuthenticationHandler.IsPresentedBy(http.Request))
        {
            var antiforgery = http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
            {
                return Microsoft.AspNetCore.Http.Results.Problem(detail: "missing or invalid antiforgery token", statusCode: Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest, title: "invalid input");
            }
        }

        return await next(context).ConfigureAwait(false);
    }

    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var liveness = context.HttpContext.RequestServices.GetRequiredService<SessionLiveness>();
        if (context.Principal is null || !await liveness.IsLiveAsync(context.Principal, context.HttpContext.RequestAborted).ConfigureAwait(false))
        {
            // Read who it was before rejecting: RejectPrincipal clears the principal, and the audit must name the key
            // whose revoked session was still being used.
            var actor = context.Principal?.Identity?.Name ?? "unknown";
            var role = context.Principal?.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "unknown";
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            await RefusalAudit.RecordAsync(context.HttpContext, context.HttpContext.RequestServices.GetRequiredService<Hosting.AppServices>(),
                actor, role, "session refused: signed out, or its key was revoked").ConfigureAwait(false);
        }
        else if (context.Principal.Identity?.Name is { } name)
        {
            await context.HttpContext.RequestServices.GetRequiredService<KeyUsage>().RecordAsync(name, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task Reject(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
