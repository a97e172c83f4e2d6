using System.Security.Claims;
using System.Text.Encodings.Web;
using AnprWatch.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnprWatch.Web.Security;

/// <summary><c>Authorization: ApiKey &lt;key&gt;</c>: the key's hash is looked up; unknown and revoked keys are refused.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AppServices services, FailedAuthenticationThrottle throttle, KeyUsage usage)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The request carries <c>Authorization: ApiKey …</c> (a machine caller, not a browser session).</summary>
    public static bool IsPresentedBy(HttpRequest request)
        => request.Headers.Authorization.ToString().StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsPresentedBy(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await services.Keys.FindAsync(Request.Headers.Authorization.ToString()[(SchemeName.Length + 1)..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            throttle.RecordFailure(ThrottleMiddleware.Client(Context));
            await RefusalAudit.RecordAsync(Context, services, "unknown", "none", "authentication refused: unknown or revoked API key").ConfigureAwait(false);
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        await usage.RecordAsync(identity.Name, Context.RequestAborted).ConfigureAwait(false);
        return AuthenticateResult.Success(new AuthenticationTicket(Principal(identity.Name, identity.Role, SchemeName, scope: identity.Scope), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }

    /// <summary>The caller as claims: name, role, its key's scope, and for a browser the server-side session it holds.</summary>
    public static ClaimsPrincipal Principal(string name, string role, string scheme, string? session = null, Storage.Access.KeyScope? scope = null)
    {
        List<Claim> claims = [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), .. AccessScope.Claims(scope ?? Storage.Access.KeyScope.National)];
        if (session is not null)
        {
            claims.Add(new Claim(SessionLiveness.SessionClaim, session));
        }

        return new(new ClaimsIdentity(claims, scheme));
    }
}
