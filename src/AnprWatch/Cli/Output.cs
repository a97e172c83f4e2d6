using System.Globalization;
using System.Text;
using System.Text.Json;
using AnprWatch.Core.Hits;

namespace AnprWatch.Cli;

public enum OutputFormat
{
    Table,
    Csv,
    Json,
}

/// <summary>Table, CSV and JSON writers shared by every listing command.</summary>
public static class Output
{
    public static readonly string[] FormatNames = ["table", "csv", "json"];

    public static OutputFormat ParseFormat(string? text) => text?.ToLowerInvariant() switch
    {
        null or "table" => OutputFormat.Table,
        "csv" => OutputFormat.Csv,
        "json" => OutputFormat.Json,
        _ => throw new InvalidInputException($"--format '{text}' is not one of table, csv, json"),
    };

    public static void Json<T>(TextWriter writer, T value)
        => writer.WriteLine(JsonSerializer.Serialize(value, ContractJson.Indented));

    public static void Rows(TextWriter writer, OutputFormat format, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        if (format == OutputFormat.Csv)
        {
            writer.WriteLine(string.Join(',', headers.Select(CsvCell)));
            foreach (var row in rows)
            {
                writer.WriteLine(string.Join(',', row.Select(CsvCell)));
            }

            return;
        }

        var materialised = rows.Select(r => (IReadOnlyList<string?>)r.Select(Printable).ToList()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, materialised.Count == 0 ? 0 : materialised.Max(r => (r[i] ?? "").Length))).ToArray();
        writer.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in materialised)
        {
            writer.WriteLine(string.Join("  ", row.Select((c, i) => (c ?? "").PadRight(widths[i]))).TrimEnd());
        }

        writer.WriteLine($"({materialised.Count} rows)");
    }

    /// <summary>
    /// A table cell as it may reach a terminal: every control character (C0, DEL, C1: ESC starts the sequences that clear a
    /// screen or rewrite a line) becomes U+FFFD. Reads refuse escaped ones, but DEL and C1 can arrive raw in UTF-8, and a
    /// table is the one output not escaped by its format (JSON escapes them, CSV quotes them).
    /// </summary>
    public static string? Printable(string? value)
    {
        if (value is null || (value.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') < 0 && value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') < 0))
        {
            return value;
        }

        return string.Create(value.Length, value, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = source[i] is <= '\u001f' or (>= '\u007f' and <= '\u009f') ? '\ufffd' : source[i];
            }
        });
    }

    /// <summary>
    /// RFC 4180 quoting plus formula neutralisation: a cell a spreadsheet would evaluate (=, +, -, @, tab, CR) is
    /// prefixed with a quote so an export opened in Excel cannot run anything (DESIGN §7).
    /// </summary>
    public static string CsvCell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(value))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool IsPlainNumber(string value) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string Plural(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";
}
