using AnprWatch.Cli;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Reports;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;
using AnprWatch.Storage.Hits;

namespace AnprWatch.Reports;

/// <summary>Loads what an evaluation needs from the store and hands it to the pure <see cref="EvaluationReport"/>.</summary>
public static class ReportService
{
    /// <summary>Reaching further back than this needs a recorded justification (the access tier of issue 6).</summary>
    public const int OpenAccessDays = 90;

    public static ReportScope Scope(string? force, string? region)
    {
        if (force is not null && region is not null)
        {
            throw new InvalidInputException("give --force or --region, not both");
        }

        if (force is not null)
        {
            return new ReportScope(Arguments.Force(force), null);
        }

        if (region is not null)
        {
            return ForceRegistry.TryGetRegion(region, out var name)
                ? new ReportScope(null, name)
                : throw new InvalidInputException($"region '{region}' is not one of: {string.Join(", ", ForceRegistry.Regions)}");
        }

        return ReportScope.All;
    }

    public const int MaxJustification = 1000;

    /// <summary>Refuses a look further back than <see cref="OpenAccessDays"/> without a justification.</summary>
    public static void CheckAccessTier(DateOnly from, TimeProvider clock, string? justification)
    {
        // audit_log.justification is NVARCHAR(1000): refused here, for the CLI and the API alike, before the store.
        if (justification is { Length: > MaxJustification })
        {
            throw new InvalidInputException(Hosting.TextLimits.TooLong("justification", justification.Length, MaxJustification));
        }

        if (from < UkTime.Today(clock).AddDays(-OpenAccessDays) && Storage.Audit.Justification.IsAbsent(justification))
        {
            throw new InvalidInputException($"a period starting more than {OpenAccessDays} days ago needs a justification (--justification \"…\", at least {Storage.Audit.Justification.MinLength} characters), which is recorded in the audit log");
        }

        if (!Storage.Audit.Justification.IsAbsent(justification) && !Storage.Audit.Justification.IsSufficient(justification))
        {
            throw new InvalidInputException(Storage.Audit.Justification.Requirement);
        }
    }

    public static async Task<EvaluationReport> BuildAsync(AppServices services, DateOnly from, DateOnly to, ReportScope scope, CancellationToken cancellationToken)
    {
        var (start, end) = UkTime.Range(from, to);
        IReadOnlyCollection<string>? hostForces = scope.Force is not null ? [scope.Force.Code]
            : scope.Region is not null ? ForceRegistry.InRegion(scope.Region).Select(f => f.Code).ToList() : null;
        var hits = await services.Hits.QueryAsync(new HitQuery(start, end, HostForces: hostForces), cancellationToken).ConfigureAwait(false);
        var outcomes = await services.Outcomes.ForHitsObservedAsync(start, end, cancellationToken).ConfigureAwait(false);
        var markers = await services.Markers.GetActiveMarkersAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        // Review compliance is "overdue at the period's end": the lists as they stood then, not as they stand now.
        var atEnd = await services.Markers.GetMarkersActiveBeforeAsync(end, hostForces, cancellationToken).ConfigureAwait(false);
        return EvaluationReport.Build(from, to, scope, hits, outcomes, markers, UkTime.Today(services.Clock), atEnd);
    }

    public static string Csv(EvaluationReport report)
    {
        var lines = new List<string> { "section,key,value" };
        lines.AddRange(report.Rows().Select(r => $"{Output.CsvCell(r.Section)},{Output.CsvCell(r.Key)},{Output.CsvCell(r.Value)}"));
        return string.Join('\n', lines) + "\n";
    }
}
