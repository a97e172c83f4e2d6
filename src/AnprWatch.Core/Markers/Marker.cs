using System.Security.Cryptography;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Markers;

/// <summary>A PNC ACT marker: one vehicle linked to one suspect, owned by a host force.</summary>
public sealed record Marker(
    string Vrm,
    string SuspectRef,
    RiskLevel Risk,
    Force HostForce,
    DateOnly ReviewDue,
    DateOnly? Expires,
    string? Operation,
    string? Action,
    string? Contact,
    string MarkerType)
{
    private string? _id;

    /// <summary>
    /// Stable across list versions (derived from host force, VRM and suspect), so a re-processed read after a list
    /// replacement still finds its earlier hit and is never duplicated.
    /// </summary>
    public string MarkerId => _id ??= ComputeId(HostForce.Code, Vrm, SuspectRef);

    public PlateFormat Format => PlateFormats.Classify(Vrm);

    public static string ComputeId(string hostForce, string vrm, string suspectRef)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{hostForce}\n{vrm}\n{suspectRef}"));
        return "m-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>Whether a read observed on this UK local date is still covered (expiry is inclusive).</summary>
    public bool CoversDate(DateOnly ukDate) => Expires is not { } expires || ukDate <= expires;

    /// <summary>Each changed field with its old and new value, as a bureau user reads them (CSV column names and values).</summary>
    public IReadOnlyList<FieldChange> FieldChanges(Marker other)
    {
        static string? Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var all = new (string Field, string? Before, string? After)[]
        {
            ("risk_level", Risk.Label(), other.Risk.Label()),
            ("review_due", Date(ReviewDue), Date(other.ReviewDue)),
            ("expires", Date(Expires), Date(other.Expires)),
            ("operation", Operation, other.Operation),
            ("action", Action, other.Action),
            ("contact", Contact, other.Contact),
            ("marker_type", MarkerType, other.MarkerType),
        };
        return all.Where(c => !string.Equals(c.Before, c.After, StringComparison.Ordinal)).Select(c => new FieldChange(c.Field, c.Before, c.After)).ToList();
    }

    /// <summary>True when the content a bureau user would care about differs (the identity fields are equal by key).</summary>
    public IReadOnlyList<string> ChangedFields(Marker other)
    {
        var changed = new List<string>();
        if (Risk != other.Risk)
        {
            changed.Add("risk_level");
        }

        if (ReviewDue != other.ReviewDue)
        {
            changed.Add("review_due");
        }

        if (Expires != other.Expires)
        {
            changed.Add("expires");
        }

        if (!string.Equals(Operation, other.Operation, StringComparison.Ordinal))
        {
            changed.Add("operation");
        }

        if (!string.Equals(Action, other.Action, StringComparison.Ordinal))
        {
            changed.Add("action");
        }

        if (!string.Equals(Contact, other.Contact, StringComparison.Ordinal))
        {
            changed.Add("contact");
        }

        if (!string.Equals(MarkerType, other.MarkerType, StringComparison.Ordinal))
        {
            changed.Add("marker_type");
        }

        return changed;
    }
}

/// <summary>One field of a marker that a replacement changes, old and new as they appear in the CSV (null: empty).</summary>
public sealed record FieldChange(string Field, string? Before, string? After)
{
    public override string ToString() => $"{Field} {Before ?? "(empty)"} → {After ?? "(empty)"}";
}
