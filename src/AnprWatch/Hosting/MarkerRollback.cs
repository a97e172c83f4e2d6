using AnprWatch.Cli;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Storage.Markers;

namespace AnprWatch.Hosting;

/// <summary>What a rollback would change (its diff, old → new) and, unless it was a preview, the version it created.</summary>
public sealed record MarkerRollbackOutcome(long Target, MarkerListDiff Diff, MarkerListVersion? Version);

/// <summary>
/// Making an earlier version of a force's list active again, as a new version (nothing is rewritten), for the command
/// line and the web page alike. A preview computes the same diff and changes nothing; the removal guard applies.
/// </summary>
public static class MarkerRollback
{
    public static async Task<MarkerRollbackOutcome> RunAsync(AppServices services, Force host, long target, bool preview, bool confirmRemovals, string who, string role, CancellationToken cancellationToken)
    {
        var markers = await services.Markers.GetVersionMarkersAsync(host.Code, target, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException($"{host.Code} has no version {target}");
        var against = await services.Markers.GetActiveVersionAsync(host.Code, cancellationToken).ConfigureAwait(false);
        var current = await services.Markers.GetActiveMarkersAsync(host.Code, cancellationToken).ConfigureAwait(false);
        var diff = MarkerListDiff.Compute(current, markers, MarkerImport.Alerting(services));
        RollbackGuard.RefuseIfUnchanged(diff.AddedCount == 0 && diff.RemovedCount == 0 && diff.ChangedCount == 0, target, against, host.Code, "marker list");

        if (preview)
        {
            return new MarkerRollbackOutcome(target, diff, null);
        }

        MarkerImport.CheckRemovals(services, host, diff, confirmRemovals, $"rolling back to version {target}");

        // The restored list is exactly the earlier version's file, so it carries that file's hash.
        var sha256 = (await services.Markers.HistoryAsync(host.Code, cancellationToken).ConfigureAwait(false)).Single(v => v.Version == target).Sha256;
        var created = await services.Markers.ReplaceAsync(host, markers, who, role, sha256, diff, $"rollback v{target}", cancellationToken, expectedActiveVersion: against).ConfigureAwait(false);
        return new MarkerRollbackOutcome(target, diff, created);
    }
}
