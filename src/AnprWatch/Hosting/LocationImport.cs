using AnprWatch.Cli;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Time;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Locations;

namespace AnprWatch.Hosting;

/// <summary>What loading a location file did: the validation, and for a valid file its diff, hash and (unless a dry run) new version.</summary>
public sealed record LocationImportOutcome(LocationCsvResult Csv, LocationListDiff? Diff, string? Sha256, LocationListVersion? Version);

/// <summary>What a location rollback would change (its diff, old → new) and, unless it was a preview, the version it created.</summary>
public sealed record LocationRollbackOutcome(long Target, LocationListDiff Diff, LocationListVersion? Version);

/// <summary>
/// Loading a flagged-location file (DESIGN §8), for the command line and the API alike, by the marker import's rules:
/// size limit, every error by line and nothing changed, diff against the active list, then a dry run's audited
/// consultation or the atomic replacement as a new version.
/// </summary>
public static class LocationImport
{
    public static async Task<LocationImportOutcome> RunAsync(
        AppServices services, Force force, Stream content, long length, string name, bool dryRun, string who, string role, CancellationToken cancellationToken, bool confirmRemovals = false)
    {
        if (length > services.Options.MaxMarkerFileBytes)
        {
            throw new InvalidInputException($"{name} is {length:N0} bytes, over the {services.Options.MaxMarkerFileBytes:N0}-byte limit (Markers:MaxFileBytes); nothing was changed");
        }

        using var hashing = new MarkerImport.HashingStream(content, null);
        var csv = LocationCsvReader.Read(hashing, force, UkTime.Today(services.Clock));
        if (!csv.IsValid)
        {
            return new LocationImportOutcome(csv, null, null, null);
        }

        var against = await services.Locations.GetActiveVersionAsync(force.Code, cancellationToken).ConfigureAwait(false);
        var current = await services.Locations.GetActiveAsync(force.Code, cancellationToken).ConfigureAwait(false);
        var diff = LocationListDiff.Compute(current, csv.Locations);
        if (dryRun)
        {
            await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), who, role, AuditActions.Consult, $"location list {force.Code} dry run"), cancellationToken).ConfigureAwait(false);
            return new LocationImportOutcome(csv, diff, null, null);
        }

        CheckRemovals(services, force, diff, confirmRemovals, name);
        var sha256 = hashing.Finish();
        var version = await services.Locations.ReplaceAsync(force, csv.Locations, who, role, sha256, diff, "import", cancellationToken, expectedActiveVersion: against).ConfigureAwait(false);
        return new LocationImportOutcome(csv, diff, sha256, version);
    }

    /// <summary>
    /// Makes an earlier version active again as a new version (nothing is rewritten), carrying that file's hash; a preview
    /// computes the same diff (old → new) and changes nothing. The removal guard applies, as to a marker rollback.
    /// </summary>
    public static async Task<LocationRollbackOutcome> RollbackAsync(AppServices services, Force force, long target, bool preview, bool confirmRemovals, string who, string role, CancellationToken cancellationToken)
    {
        var locations = await services.Locations.GetVersionAsync(force.Code, target, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException($"{force.Code} has no location list version {target}");
        var against = await services.Locations.GetActiveVersionAsync(force.Code, cancellationToken).ConfigureAwait(false);
        var current = await services.Locations.GetActiveAsync(force.Code, cancellationToken).ConfigureAwait(false);
        var diff = LocationListDiff.Compute(current, locations);
        RollbackGuard.RefuseIfUnchanged(diff.Added.Count == 0 && diff.Removed.Count == 0 && diff.Changed.Count == 0, target, against, force.Code, "location list");

        if (preview)
        {
            return new LocationRollbackOutcome(target, diff, null);
        }

        CheckRemovals(services, force, diff, confirmRemovals, $"rolling back to version {target}");
        var sha256 = (await services.Locations.HistoryAsync(force.Code, cancellationToken).ConfigureAwait(false)).Single(v => v.Version == target).Sha256;
        var created = await services.Locations.ReplaceAsync(force, locations, who, role, sha256, diff, $"rollback v{target}", cancellationToken, expectedActiveVersion: against).ConfigureAwait(false);
        return new LocationRollbackOutcome(target, diff, created);
    }

    /// <summary>
    /// Like marker lists (Markers:MaxRemovalShare, default 20 %): a replacement or rollback that would take more than that
    /// share of the force's raising locations out (removed, or changed to a risk level that does not alert, or expired)
    /// needs confirming. A truncated export would otherwise silently stop raising night-time hits near flagged places.
    /// </summary>
    public static void CheckRemovals(AppServices services, Force force, LocationListDiff diff, bool confirmed, string what)
    {
        var today = UkTime.Today(services.Clock);
        bool Raising(Core.Locations.Location l) => (l.Expires is not { } expires || expires >= today) && services.Options.Alerting.RiskLevels.Contains(l.Risk);
        // Weighed against the locations that raise priority, not every row (LOW or expired rows cannot pad the share).
        var current = diff.Removed.Count(Raising) + diff.Changed.Count(c => Raising(c.Before)) + diff.UnchangedRaising(Raising);
        var switchedOff = diff.Changed.Count(c => Raising(c.Before) && !Raising(c.After));
        RemovalGuard.Check(services, force.Code, current, diff.Removed.Count(Raising), switchedOff, confirmed, what, "raising locations", "out of use");
    }
}
