namespace AnprWatch.Hosting;

/// <summary>
/// Issue 18, bounds: the longest value of every free-text input a person can type (CLI options, API fields), each the
/// width of the SQL Server column it is stored in or compared with. Checked before the store, so SQLite (which keeps
/// any length) and SQL Server (which refuses with a truncation error) behave the same, and the error names the field.
/// Inputs not listed here are not free text: they are parsed (dates, numbers, timestamps), chosen from a fixed set
/// (roles, forces, regions, statuses, reasons, formats), normalised with their own limit (VRMs: 32 characters), looked
/// up by hash (an API key at sign-in) or read from files whose readers bound every column (marker and location CSVs).
/// The web pages send everything through the API, so they share its limits.
/// </summary>
public static class TextLimits
{
    /// <param name="Input">"cli" or the API endpoint ("POST /api/hits/{hitId}/outcome").</param>
    /// <param name="Field">As the caller names it: the option, the query parameter or the JSON property.</param>
    /// <param name="Column">Where it is stored or what it is compared with, on SQL Server.</param>
    public sealed record Limit(string Input, string Field, int Max, string Column);

    public static readonly IReadOnlyList<Limit> All =
    [
        new("cli", "--user", 128, "audit_log.actor, marker_lists.loaded_by, location_lists.loaded_by: NVARCHAR(128)"),
        new("cli", "--justification", 1000, "audit_log.justification NVARCHAR(1000)"),
        new("cli", "--note", 1000, "a marker review's note: audit_log.detail NVARCHAR(2000), with the review's summary"),
        new("cli", "--name", 128, "api_keys.name, api_key_details.key_name NVARCHAR(128); the key's holder is the API's actor"),
        new("cli", "--suspect", 64, "markers.suspect_ref NVARCHAR(64)"),
        new("GET /api/hits", "justification", 1000, "audit_log.justification NVARCHAR(1000)"),
        new("GET /api/reports/evaluation", "justification", 1000, "audit_log.justification NVARCHAR(1000)"),
        new("POST /api/hits/{hitId}/outcome", "note", 2000, "outcomes.note NVARCHAR(2000)"),
        new("POST /api/markers/{force}/review", "note", 1000, "as the CLI's --note"),
        new("POST /api/markers/{force}/review", "suspectRef", 64, "markers.suspect_ref NVARCHAR(64)"),
    ];

    /// <summary>CLI option → longest value (the CLI refuses longer before running any command).</summary>
    public static readonly IReadOnlyDictionary<string, int> CliOptions = All.Where(l => l.Input == "cli").ToDictionary(l => l.Field, l => l.Max, StringComparer.Ordinal);

    /// <summary>The error for a value over its limit, naming the field as the caller typed it.</summary>
    public static string TooLong(string field, int length, int max) => $"{field} is {length} characters long; at most {max} are allowed";

    /// <summary>The error when <paramref name="value"/> is over the limit of <paramref name="field"/> of <paramref name="input"/>, else null.</summary>
    public static string? Problem(string input, string field, string? value)
    {
        var max = All.Single(l => l.Input == input && l.Field == field).Max;
        return value is { Length: var length } && length > max ? TooLong(field, length, max) : null;
    }
}
