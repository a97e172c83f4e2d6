using System.Security.Claims;
using AnprWatch.Hosting;
using AnprWatch.Storage.Audit;
using Microsoft.AspNetCore.Http;

namespace AnprWatch.Web.Api;

/// <summary>One audit entry per API call that reads or changes personal data, naming the key's holder and role.</summary>
public static class WebAudit
{
    public static Task RecordAsync(this HttpContext context, AppServices services, string action, string subject, string? justification = null)
        => services.Audit.AppendAsync(
            new AuditEntry(services.Clock.GetUtcNow(), context.User.Identity?.Name ?? "unknown", context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown", action, subject, justification),
            context.RequestAborted);
}
