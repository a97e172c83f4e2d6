using System.Globalization;
using System.Text;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;

namespace AnprWatch.Core.Locations;

public sealed class LocationCsvResult
{
    public List<Location> Locations { get; } = [];
    public List<CsvIssue> Errors { get; } = [];
    public List<CsvIssue> Warnings { get; } = [];
    public int Rows { get; internal set; }
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads and validates a flagged-location CSV (DESIGN §8 "Locations") with the marker reader's tokenizer and rules:
/// UTF-8 (BOM allowed), header required, column order free, every error with its line number. A file with any
/// error must change nothing; that is the caller's rule, this type only reports.
/// </summary>
public static class LocationCsvReader
{
    public static readonly IReadOnlyList<string> Columns =
        ["location_ref", "name", "lat", "lon", "radius_m", "risk_level", "force", "review_due", "expires", "notes"];

    private static readonly string[] Required = ["location_ref", "name", "lat", "lon", "radius_m", "risk_level", "force", "review_due"];

    private static readonly Dictionary<string, int> MaxLengths = new(StringComparer.Ordinal)
    {
        ["location_ref"] = 64,
        ["name"] = 200,
        ["lat"] = 32,
        ["lon"] = 32,
        ["radius_m"] = 16,
        ["risk_level"] = 16,
        ["force"] = ForceRegistry.MaxCodeLength,
        ["review_due"] = 10,
        ["expires"] = 10,
        ["notes"] = 1000,
    };

    public static LocationCsvResult Read(Stream stream, Force loadingForce, DateOnly today)
    {
        using var text = CsvListFile.Utf8(stream);
        return Read(text, loadingForce, today);
    }

    public static LocationCsvResult Read(TextReader text, Force loadingForce, DateOnly today)
    {
        var result = new LocationCsvResult();
        var file = new CsvListFile(Columns, Required, "location", result.Errors, result.Warnings);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        result.Rows = file.Read(text, (fields, map, line) =>
        {
            var location = new RowReader(fields, map, line, file.Error).Read(loadingForce);
            if (location is null)
            {
                return;
            }

            if (seen.TryGetValue(location.Ref, out var firstLine))
            {
                file.Error(line, $"duplicate of line {firstLine} (same location_ref)");
                return;
            }

            seen.Add(location.Ref, line);
            Warnings(location, line, today, file.Warn);
            result.Locations.Add(location);
        });
        return result;
    }

    private static void Warnings(Location location, int line, DateOnly today, Action<int, string> warn)
    {
        if (location.ReviewDue < today)
        {
            warn(line, $"review_due {location.ReviewDue:yyyy-MM-dd} is already past: the location loads and still raises priority; review it");
        }

        if (location.Expires < today)
        {
            warn(line, $"expires {location.Expires:yyyy-MM-dd} is already past: the location only raises reads observed on or before that date");
        }

        if (location.Risk == RiskLevel.Low)
        {
            warn(line, "risk_level LOW: loaded, but never raises a hit's priority under the default policy");
        }
    }

    /// <summary>One row's fields, each checked with a message naming the column; every problem of the row is reported.</summary>
    private sealed class RowReader(List<string> fields, Dictionary<string, int> map, int line, Action<int, string> error)
    {
        private bool _ok = true;

        public Location? Read(Force loadingForce)
        {
            var reference = Required("location_ref");
            var name = Required("name");
            var lat = Number("lat", Required("lat"), -90, 90);
            var lon = Number("lon", Required("lon"), -180, 180);
            if (lat == 0 && lon == 0)
            {
                // The pipeline treats a read at exactly 0,0 as having no position (cameras without a GPS fix send it), so
                // a circle there never raises anything: most likely blank cells exported as 0, and never a UK place.
                Fail("lat,lon 0,0 is no position (what a camera without a GPS fix sends): no read there is positioned, so the location could never raise a hit");
            }

            var radius = Radius(Required("radius_m"));
            var riskText = Required("risk_level");
            var risk = RiskLevel.Low;
            if (riskText is not null && !RiskLevels.TryParse(riskText, out risk))
            {
                Fail($"risk_level '{Truncate(riskText)}' is unknown (expected HIGH, MEDIUM or LOW)");
            }

            var forceText = Required("force");
            Force? force = null;
            if (forceText is not null)
            {
                if (!ForceRegistry.TryGet(forceText, out force))
                {
                    Fail($"force '{Truncate(forceText)}' is not a known force code");
                }
                else if (force != loadingForce)
                {
                    Fail($"force '{force.Code}' is not the force being loaded ('{loadingForce.Code}')");
                }
            }

            var reviewDue = Date("review_due", Required("review_due"));
            var expires = Date("expires", Value("expires", out _));
            var notes = Value("notes", out _);
            if (!_ok || reference is null || name is null || lat is null || lon is null || radius is null || force is null || reviewDue is null)
            {
                return null;
            }

            return new Location(reference, name, lat.Value, lon.Value, radius.Value, risk, force, reviewDue.Value, expires, notes);
        }

        private void Fail(string message)
        {
            error(line, message);
            _ok = false;
        }

        private string? Value(string column, out bool rejected)
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
                Fail($"{column} is longer than {MaxLengths[column]} characters");
                rejected = true;
                return null;
            }

            // '+' and '-' start formulas too (+SUM(1), -2+3, +HYPERLINK(...)); no free text needs to begin with them
            // (coordinates do: they are numbers, checked as such).
            if (value[0] is '=' or '@' or '\t' or '\r' || (value[0] is '+' or '-' && column is "name" or "notes" or "location_ref"))
            {
                Fail($"{column} begins with '{(value[0] == '\t' ? "\\t" : value[0] == '\r' ? "\\r" : value[0].ToString())}' and looks like a spreadsheet formula");
                rejected = true;
                return null;
            }

            return value;
        }

        private string? Required(string column)
        {
            var value = Value(column, out var rejected);
            if (value is null && !rejected)
            {
                Fail($"missing required value '{column}'");
            }

            return value;
        }

        private double? Number(string column, string? text, double min, double max)
        {
            if (text is null)
            {
                return null;
            }

            // "NaN" parses as a double and passes every range check (comparisons with NaN are false): refuse it here.
            if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                Fail($"{column} '{Truncate(text)}' is not a decimal number (WGS84 degrees, e.g. 51.4545)");
                return null;
            }

            if (value < min || value > max)
            {
                Fail($"{column} {text} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }

            return value;
        }

        private int? Radius(string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var radius) || radius < Location.MinRadiusM || radius > Location.MaxRadiusM)
            {
                Fail($"radius_m '{Truncate(text)}' is not a whole number of metres from {Location.MinRadiusM} to {Location.MaxRadiusM:D}");
                return null;
            }

            return radius;
        }

        private DateOnly? Date(string column, string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            Fail($"{column} '{Truncate(text)}' is not a date (expected YYYY-MM-DD)");
            return null;
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
