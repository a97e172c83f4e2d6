using System.Globalization;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Markers;

public sealed record CsvIssue(int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Message}" : Message;
}

public sealed class MarkerCsvResult
{
    public List<Marker> Markers { get; } = [];
    public List<CsvIssue> Errors { get; } = [];
    public List<CsvIssue> Warnings { get; } = [];
    public int Rows { get; internal set; }
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads and validates a marker list CSV (DESIGN §4.2). Every error is collected with its line number; a file with
/// any error must change nothing, which is the caller's rule: this type only reports.
/// </summary>
public static class MarkerCsvReader
{
    public static readonly IReadOnlyList<string> Columns =
        ["vrm", "suspect_ref", "risk_level", "host_force", "review_due", "expires", "operation", "action", "contact", "marker_type"];

    private static readonly string[] Required = ["vrm", "suspect_ref", "risk_level", "host_force", "review_due"];

    // Everything but the C0 controls other than tab, LF and CR, and DEL: what a field may hold as far as controls go.
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 32).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), '\u007F']);

    private static readonly Dictionary<string, int> MaxLengths = new(StringComparer.Ordinal)
    {
        ["vrm"] = Vrm.MaxRawLength,
        ["suspect_ref"] = 64,
        ["risk_level"] = 16,
        ["host_force"] = ForceRegistry.MaxCodeLength,
        ["review_due"] = 10,
        ["expires"] = 10,
        ["operation"] = 100,
        ["action"] = 500,
        ["contact"] = 200,
        ["marker_type"] = 16,
    };

    /// <summary>Keeps memory bounded on a garbage file; the total is still reported.</summary>
    public const int MaxReportedIssues = CsvListFile.MaxReportedIssues;

    public static MarkerCsvResult Read(Stream stream, Force loadingForce, DateOnly today)
    {
        using var text = CsvListFile.Utf8(stream);
        return Read(text, loadingForce, today);
    }

    public static MarkerCsvResult Read(TextReader text, Force loadingForce, DateOnly today)
    {
        var result = new MarkerCsvResult();
        var file = new CsvListFile(Columns, Required, "marker", result.Errors, result.Warnings);
        var seen = new Dictionary<(string Vrm, string Suspect), int>(MarkerKeyComparer.IgnoreSuspectCase);
        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        result.Rows = file.Read(text, (fields, map, line) =>
        {
            var marker = ReadRow(fields, map, line, loadingForce, today, file.Error, file.Warn, shared);
            if (marker is null)
            {
                return;
            }

            var key = (marker.Vrm, marker.SuspectRef);
            if (seen.TryGetValue(key, out var firstLine))
            {
                file.Error(line, $"duplicate of line {firstLine} (same vrm and suspect_ref)");
                return;
            }

            seen.Add(key, line);
            result.Markers.Add(marker);
        });
        return result;
    }

    private static Marker? ReadRow(
        List<string> fields, Dictionary<string, int> map, int line, Force loadingForce, DateOnly today,
        Action<int, string> error, Action<int, string> warn, Dictionary<string, string> shared)
    {
        // Operation, action, contact and type repeat down a list: one string each instead of one per row.
        string? Share(string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (shared.TryGetValue(value, out var existing))
            {
                return existing;
            }

            if (shared.Count < 100_000)
            {
                shared[value] = value;
            }

            return value;
        }

        var ok = true;
        bool rejected;

        string? Value(string column)
        {
            rejected = false;
            if (!map.TryGetValue(column, out var index))
            {
                return null;
            }

            var value = fields[index].Trim();
            if (value.Length == 0)
            {
                return null;
            }

            if (value.Length > MaxLengths[column])
            {
                error(line, $"{column} is longer than {MaxLengths[column]} characters");
                ok = false;
                rejected = true;
                return null;
            }

            // A control character (NUL, BEL, ESC…) is never part of a plate, a reference or an instruction: it hides
            // text on a screen or a terminal and ends strings in other systems. Line breaks and tabs inside a quoted
            // free-text field are layout and stay.
            var control = value.AsSpan().IndexOfAny(ControlCharacters);
            if (control >= 0)
            {
                error(line, $"{column} holds a control character (U+{(int)value[control]:X4})");
                ok = false;
                rejected = true;
                return null;
            }

            if (value[0] is '=' or '@' or '\t' or '\r')
            {
                error(line, $"{column} begins with '{Printable(value[0])}' and looks like a spreadsheet formula");
                ok = false;
                rejected = true;
                return null;
            }

            return value;
        }

        string? RequiredValue(string column)
        {
            var value = Value(column);
            if (value is null && !rejected)
            {
                error(line, $"missing required value '{column}'");
            }

            ok &= value is not null;
            return value;
        }

        DateOnly? Date(string column, string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            error(line, $"{column} '{Truncate(text)}' is not a date (expected YYYY-MM-DD)");
            ok = false;
            return null;
        }

        var rawVrm = RequiredValue("vrm");
        var vrm = rawVrm is null ? null : Vrm.Normalise(rawVrm);
        if (rawVrm is not null && vrm is null)
        {
            error(line, Vrm.InvalidReason("vrm", rawVrm));
            ok = false;
        }

        var suspect = RequiredValue("suspect_ref");
        var riskText = RequiredValue("risk_level");
        var risk = RiskLevel.Low;
        if (riskText is not null && !RiskLevels.TryParse(riskText, out risk))
        {
            error(line, $"risk_level '{Truncate(riskText)}' is unknown (expected HIGH, MEDIUM or LOW)");
            ok = false;
        }

        var hostText = RequiredValue("host_force");
        Force? host = null;
        if (hostText is not null)
        {
            if (!ForceRegistry.TryGet(hostText, out host))
            {
                error(line, $"host_force '{Truncate(hostText)}' is not a known force code");
                ok = false;
            }
            else if (host != loadingForce)
            {
                error(line, $"host_force '{host.Code}' is not the force being loaded ('{loadingForce.Code}')");
                ok = false;
            }
        }

        var reviewDue = Date("review_due", RequiredValue("review_due"));
        var expires = Date("expires", Value("expires"));
        var operation = Share(Value("operation"));
        var action = Share(Value("action"));
        var contact = Share(Value("contact"));
        var markerType = Share(Value("marker_type")?.ToUpperInvariant()) ?? "ACT";

        if (!ok || vrm is null || suspect is null || host is null || reviewDue is null)
        {
            return null;
        }

        if (reviewDue < today)
        {
            warn(line, $"review_due {reviewDue:yyyy-MM-dd} is already past: the marker loads and matches, its alerts say the review is overdue");
        }

        if (expires < today)
        {
            warn(line, $"expires {expires:yyyy-MM-dd} is already past: the marker only matches reads observed on or before that date");
        }

        if (risk == RiskLevel.Low)
        {
            warn(line, "risk_level LOW: loaded, but never alerts under the default policy");
        }

        var marker = new Marker(vrm, suspect, risk, host, reviewDue.Value, expires, operation, action, contact, markerType);
        if (marker.Format == PlateFormat.Unknown)
        {
            warn(line, "vrm is in no recognised GB format (loaded and labelled 'unknown')");
        }

        return marker;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string Printable(char c) => c switch { '\t' => "\\t", '\r' => "\\r", _ => c.ToString() };
}

/// <summary>(VRM, suspect reference) keys: VRMs are already normalised; suspect references compare without case.</summary>
internal sealed class MarkerKeyComparer : IEqualityComparer<(string Vrm, string Suspect)>
{
    public static readonly MarkerKeyComparer IgnoreSuspectCase = new();

    public bool Equals((string Vrm, string Suspect) x, (string Vrm, string Suspect) y)
        => string.Equals(x.Vrm, y.Vrm, StringComparison.Ordinal) && string.Equals(x.Suspect, y.Suspect, StringComparison.OrdinalIgnoreCase);

    public int GetHashCode((string Vrm, string Suspect) key)
        => HashCode.Combine(StringComparer.Ordinal.GetHashCode(key.Vrm), StringComparer.OrdinalIgnoreCase.GetHashCode(key.Suspect));
}
