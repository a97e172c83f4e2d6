using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Api;

/// <summary>What the marker-list and location-list endpoints share: the spooled upload, and who is asking.</summary>
public static class ListUpload
{
    /// <summary>
    /// The CSV readers are synchronous: the body is spooled to a temporary file first so a request never blocks a
    /// thread, then handed to <paramref name="load"/> open for reading; the file is deleted whatever happens.
    /// </summary>
    public static async Task<IResult> SpoolAsync(HttpContext context, Func<FileStream, Task<IResult>> load)
    {
        var spool = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(spool))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted).ConfigureAwait(false);
            }

            await using var read = File.OpenRead(spool);
            return await load(read).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>The key holder's name, as versions and audit entries record it.</summary>
    public static string Actor(this HttpContext context) => context.User.Identity?.Name ?? "unknown";

    /// <summary>The key's role, as audit entries record it.</summary>
    public static string Role(this HttpContext context) => context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown";
}
