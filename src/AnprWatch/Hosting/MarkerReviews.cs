using AnprWatch.Cli;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Time;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Markers;

namespace AnprWatch.Hosting;

/// <summary>Recording a marker's review (CLI and web): a new review_due with a note, as a new audited version.</summary>
public static class MarkerReviews
{
    public const int MaxReviewYears = 2;

    public static async Task<MarkerListVersion> RecordAsync(AppServices services, Force host, string? rawVrm, string? suspectRef, DateOnly next, string? note, string who, CancellationToken ct, string role = "bureau")
    {
        var plate = Vrm.Normalise(rawVrm) ?? throw new InvalidInputException("vrm is not a valid VRM");
        var today = UkTime.Today(services.Clock);
        if (next <= today)
        {
            throw new InvalidInputException("the new review date must be after today");
        }

        // A review sets the next one: a date years away (or a typo like 9999-12-31) would take the marker out of
        // review for good, and it would survive re-imports of the PNC export.
        if (next > today.AddYears(MaxReviewYears))
        {
            throw new InvalidInputException($"the new review date must be within {MaxReviewYears} years of today (by {Output.Iso(today.AddYears(MaxReviewYears))})");
        }

        if (suspectRef is { Length: > 64 })
        {
            throw new InvalidInputException(TextLimits.TooLong("suspect_ref", suspectRef.Length, 64));
        }

        var text = note?.Trim() ?? "";
        if (text.Length is 0 or > 1000)
        {
            throw new InvalidInputException("a review note is 1–1000 characters");
        }

        var against = await services.Markers.GetActiveVersionAsync(host.Code, ct).ConfigureAwait(false);
        var current = await services.Markers.GetActiveMarkersAsync(host.Code, ct).ConfigureAwait(false);
        var marker = current.FirstOrDefault(m => m.Vrm == plate && string.Equals(m.SuspectRef, suspectRef, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidInputException($"{host.Code}'s active list has no marker for that vrm and suspect_ref");
        var reviewed = current.Select(m => m == marker ? m with { ReviewDue = next } : m).ToList();
        var created = await services.Markers.ReplaceAsync(host, reviewed, who, role, CanonicalSha256(reviewed), MarkerListDiff.Compute(current, reviewed), "review", ct, expectedActiveVersion: against).ConfigureAwait(false);
        await services.Audit.AppendAsync(new AuditEntry(services.Clock.GetUtcNow(), who, role, AuditActions.Alter,
            $"review of marker {marker.MarkerId} ({host.Code} v{created.Version}): review_due {Output.Iso(marker.ReviewDue)} -> {Output.Iso(next)}", Detail: text), ct).ConfigureAwait(false);
        return created;
    }

    /// <summary>A version made by a review has no file: its hash is over its markers in a canonical CSV form.</summary>
    public static string CanonicalSha256(IEnumerable<Marker> markers)
    {
        var rows = markers.OrderBy(m => m.MarkerId, StringComparer.Ordinal).Select(m => string.Join(',', Output.CsvCell(m.Vrm), Output.CsvCell(m.SuspectRef), m.Risk.Label(),
            m.HostForce.Code, Output.Iso(m.ReviewDue), m.Expires is { } e ? Output.Iso(e) : "", Output.CsvCell(m.Operation), Output.CsvCell(m.Action), Output.CsvCell(m.Contact), m.MarkerType));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', rows))));
    }
}
