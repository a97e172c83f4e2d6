using System.Security.Claims;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Security;

/// <summary>
/// Refused attempts leave a trace: an unknown or revoked key, a session whose key was revoked, a signed-in caller
/// asking for what its role may not. The entry names the client address, method and path, never the key presented.
/// </summary>
public static class RefusalAudit
{
    public static Task RecordAsync(HttpContext context, AppServices services, string actor, string role, string why)
        => services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), Clip(actor, 128), Clip(role, 32), AuditActions.Refused,
            Clip($"{why}: {context.Request.Method} {context.Request.Path} from {ThrottleMiddleware.Client(context)}", 400)), CancellationToken.None);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    /// <summary>Records every 403 (an authenticated caller outside its role) before the default handler answers.</summary>
    public sealed class AuthorizationResultHandler(AppServices services) : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Forbidden)
            {
                await RecordAsync(context, services, context.User.Identity?.Name ?? "unknown", context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown",
                    "authorisation refused: the role may not do this").ConfigureAwait(false);
            }

            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
        }
    }
}
