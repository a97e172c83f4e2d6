using System.Security.Claims;
using AnprWatch.Hosting;
using AnprWatch.Storage.Access;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Security;

/// <summary>
/// A caller's key scope (issue 14), carried as claims: by the API key's ticket, and by a browser session, which
/// inherits it at sign-in (a key's scope never changes, so the cookie's copy cannot go stale).
/// </summary>
public static class AccessScope
{
    public const string ForcesClaim = "anprwatch:scope-forces";
    public const string RegionClaim = "anprwatch:scope-region";

    public static IEnumerable<Claim> Claims(KeyScope scope)
    {
        if (scope.Stored is { } forces)
        {
            yield return new Claim(ForcesClaim, forces);
        }

        if (scope.Region is { } region)
        {
            yield return new Claim(RegionClaim, region);
        }
    }

    /// <summary>The caller's scope; an admin is national whatever its claims say.</summary>
    public static KeyScope Of(ClaimsPrincipal user)
        => user.IsInRole(Roles.Admin) ? KeyScope.National : KeyScope.FromStored(user.FindFirstValue(ForcesClaim), user.FindFirstValue(RegionClaim));

    /// <summary>
    /// Refuses (403, audited as a refusal) a request for a force outside the caller's scope. Callers run inside
    /// <see cref="Api.ApiProblems.Guard"/>, which turns the exception into the 403 answer.
    /// </summary>
    public static async Task RequireAsync(HttpContext context, AppServices services, string forceCode, string what)
    {
        if (!Of(context.User).Covers(forceCode))
        {
            await Refuse(context, services, $"{what} for {forceCode}").ConfigureAwait(false);
        }
    }

    /// <summary>Records the refusal and throws <see cref="OutOfScopeException"/>.</summary>
    public static async Task Refuse(HttpContext context, AppServices services, string what)
    {
        var scope = Of(context.User);
        await RefusalAudit.RecordAsync(context, services, context.User.Identity?.Name ?? "unknown", context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown",
            $"authorisation refused: {what} is outside the key's scope ({scope.Label})").ConfigureAwait(false);
        throw new OutOfScopeException($"{what} is outside this key's scope ({scope.Label})");
    }
}

/// <summary>A request for data or a change outside the caller's key scope: answered 403.</summary>
public sealed class OutOfScopeException(string message) : Exception(message);
