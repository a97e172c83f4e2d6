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
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AppServices services, FailedAuthenticationThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await services.Keys.FindAsync(header[(SchemeName.Length + 1)..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            throttle.RecordFailure(ThrottleMiddleware.Client(Context));
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Principal(identity.Name, identity.Role, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }

    public static ClaimsPrincipal Principal(string name, string role, string scheme)
        => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], scheme));
}
