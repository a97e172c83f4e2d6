using AnprWatch.Hosting;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Web.Api;

/// <summary>
/// <c>Alerting:BoardWindow</c> (default 24 h): how far back the live alert view reaches, on <c>GET /api/alerts</c> and
/// on the stream's backfill and <c>Last-Event-ID</c> replay. Older hits are the 90-day tier's business (<c>/api/hits</c>).
/// </summary>
public sealed record BoardWindow(TimeSpan Span)
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(24);

    public static BoardWindow Load(IConfiguration configuration) => new(ConfigurationValues.PositiveSpan(configuration, "Alerting:BoardWindow", Default));

    /// <summary>The earliest instant the live view may show at <paramref name="now"/>.</summary>
    public DateTimeOffset Earliest(DateTimeOffset now) => now - Span;
}
