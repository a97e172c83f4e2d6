using System.Security.Cryptography;
using AnprWatch.Cli;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Markers;

namespace AnprWatch.Hosting;

/// <summary>What loading a marker file did: the validation, and for a valid file its diff, hash and (unless a dry run) new version.</summary>
public sealed record MarkerImportOutcome(MarkerCsvResult Csv, MarkerListDiff? Diff, string? Sha256, MarkerListVersion? Version);

/// <summary>A replacement that removes more than Markers:MaxRemovalShare of the list, not confirmed: nothing changed.</summary>
public sealed class RemovalNotConfirmedException(string message) : InvalidInputException(message);

/// <summary>
/// Loading a marker file, for the command line and the API alike: size limit, validation (every error, nothing
/// changed), diff against the active list, then a dry run's audited consultation or the atomic replacement.
/// </summary>
public static class MarkerImport
{
    public static async Task<MarkerImportOutcome> RunAsync(
        AppServices services, Force host, Stream content, long length, string name, bool dryRun, string who, string role,
        Action<double>? progress, CancellationToken cancellationToken, bool confirmRemovals = false)
    {
        if (length > services.Options.MaxMarkerFileBytes)
        {
            throw new InvalidInputException($"{name} is {length:N0} bytes, over the {services.Options.MaxMarkerFileBytes:N0}-byte limit (Markers:MaxFileBytes); nothing was changed");
        }

        // One pass over the file both validates and hashes it: the recorded SHA-256 is of exactly the bytes loaded.
        using var hashing = new HashingStream(content, progress);
        var csv = MarkerCsvReader.Read(hashing, host, UkTime.Today(services.Clock));
        if (!csv.IsValid)
        {
            return new MarkerImportOutcome(csv, null, null, null);
        }

        // A later review date is kept only where AnprWatch set it (a review) since the last imported file supplied that
        // marker: where the date is still that file's (as the file gave it, not as kept), the new file's date is a
        // correction and wins.
        var against = await services.Markers.GetActiveVersionAsync(host.Code, cancellationToken).ConfigureAwait(false);
        var lastImport = await services.Markers.GetImportedReviewDatesAsync(host.Code, cancellationToken).ConfigureAwait(false);
        var diff = await MarkerListDiff.ComputeAsync(services.Markers.StreamActiveMarkersAsync(host.Code, cancellationToken), csv.Markers, cancellationToken,
            reviewedHere: lastImport is null ? null : m => !lastImport.TryGetValue((m.Vrm, m.SuspectRef), out var imported) || imported != m.ReviewDue, matching: Alerting(services)).ConfigureAwait(false);
        if (dryRun)
        {
            // The diff names plates: showing it is a consultation of personal data.
            await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), who, role, AuditActions.Consult, $"marker list {host.Code} dry run"), cancellationToken).ConfigureAwait(false);
            return new MarkerImportOutcome(csv, diff, null, null);
        }

        CheckRemovals(services, host, diff, confirmRemovals, name);
        var sha256 = hashing.Finish();
        var version = await services.Markers.ReplaceAsync(host, diff.Replacement ?? csv.Markers, who, role, sha256, diff, "import", cancellationToken, expectedActiveVersion: against, imported: csv.Markers).ConfigureAwait(false);
        return new MarkerImportOutcome(csv, diff, sha256, version);
    }

    /// <summary>
    /// A replacement (import or rollback) that would take more than Markers:MaxRemovalShare of the force's matching
    /// markers out of matching needs confirming: a truncated export (3 rows of 28) must not silently drop 25 suspects'
    /// vehicles. Switched off in place counts too: a row kept but expired, or moved to a risk level that never alerts.
    /// </summary>
    /// <summary>Whether a marker alerts today: unexpired, at a risk level that alerts. The removal guard weighs only these.</summary>
    public static Func<Marker, bool> Alerting(AppServices services)
    {
        var today = UkTime.Today(services.Clock);
        return m => m.CoversDate(today) && services.Options.Alerting.RiskLevels.Contains(m.Risk);
    }

    public static void CheckRemovals(AppServices services, Force host, MarkerListDiff diff, bool confirmed, string what)
    {
        // Weighed against the markers that alert, not every row: padding a file with LOW or expired rows must not let a
        // truncated export silently remove the markers that matter.
        var alerting = Alerting(services);
        var switchedOff = diff.Changed.Count(c => alerting(c.Before) && !alerting(c.After));
        var (current, removed) = diff.Matching ?? (diff.CurrentCount, diff.RemovedCount);
        RemovalGuard.Check(services, host.Code, current, removed, switchedOff, confirmed, what, "alerting markers", "out of matching");
    }

    /// <summary>Hashes what passes through and reports how far it has got (for the terminal progress bar).</summary>
    internal sealed class HashingStream(Stream inner, Action<double>? progress) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _hash.AppendData(buffer, offset, n);
            _read += n;
            progress?.Invoke(_read);
            return n;
        }

        /// <summary>The SHA-256 of the whole content (reads whatever the reader left, e.g. after the last record).</summary>
        public string Finish()
        {
            var rest = new byte[81920];
            while (Read(rest, 0, rest.Length) > 0)
            {
            }

            return Convert.ToHexStringLower(_hash.GetHashAndReset());
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
