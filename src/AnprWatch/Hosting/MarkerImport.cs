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

/// <summary>
/// Loading a marker file, for the command line and the API alike: size limit, validation (every error, nothing
/// changed), diff against the active list, then a dry run's audited consultation or the atomic replacement.
/// </summary>
public static class MarkerImport
{
    public static async Task<MarkerImportOutcome> RunAsync(
        AppServices services, Force host, Stream content, long length, string name, bool dryRun, string who, string role,
        Action<double>? progress, CancellationToken cancellationToken)
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

        var diff = await MarkerListDiff.ComputeAsync(services.Markers.StreamActiveMarkersAsync(host.Code, cancellationToken), csv.Markers, cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            // The diff names plates: showing it is a consultation of personal data.
            await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), who, role, AuditActions.Consult, $"marker list {host.Code} dry run"), cancellationToken).ConfigureAwait(false);
            return new MarkerImportOutcome(csv, diff, null, null);
        }

        var sha256 = hashing.Finish();
        var version = await services.Markers.ReplaceAsync(host, csv.Markers, who, role, sha256, diff, "import", cancellationToken).ConfigureAwait(false);
        return new MarkerImportOutcome(csv, diff, sha256, version);
    }

    /// <summary>Hashes what passes through and reports how far it has got (for the terminal progress bar).</summary>
    private sealed class HashingStream(Stream inner, Action<double>? progress) : Stream
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
