namespace AnprWatch.Core.Markers;

/// <summary>
/// A list file's header line checked against its allowed and required columns (marker and location lists alike):
/// every problem is reported with the line, and the map from column name to position is returned only when none.
/// </summary>
internal static class CsvHeader
{
    public static Dictionary<string, int>? Read(List<string> fields, int line, IReadOnlyList<string> columns, IReadOnlyList<string> required, Action<int, string> error)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Trim().ToLowerInvariant();
            if (!columns.Contains(name))
            {
                error(line, name.Length == 0 ? $"column {i + 1} of the header is empty" : $"unknown column '{Truncate(name)}' in the header (allowed: {string.Join(',', columns)})");
                ok = false;
            }
            else if (!map.TryAdd(name, i))
            {
                error(line, $"column '{name}' appears twice in the header");
                ok = false;
            }
        }

        foreach (var column in required)
        {
            if (!map.ContainsKey(column))
            {
                error(line, $"missing required column '{column}' in the header");
                ok = false;
            }
        }

        return ok ? map : null;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
