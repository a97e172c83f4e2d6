using AnprWatch.Cli;
using AnprWatch.Core.Plates;

namespace AnprWatch.Hosting;

public static class HitLookups
{
    /// <summary>
    /// The audit subject of a hit look-up (CLI and API alike). It never carries the VRM itself, only a redacted form:
    /// the log must not become a second copy of the data it protects.
    /// </summary>
    public static string AuditSubject(DateOnly from, DateOnly to, string? force, string? vrm, int rows)
        => $"hits {Output.Iso(from)}..{Output.Iso(to)}{(force is null ? "" : " force " + force)}{(vrm is null ? "" : " vrm-lookup " + Vrm.Redact(vrm))} ({rows} rows)";
}
