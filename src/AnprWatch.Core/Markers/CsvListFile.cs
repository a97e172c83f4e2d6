using System.Text;

namespace AnprWatch.Core.Markers;

/// <summary>
/// The part marker and location list files share: strict UTF-8, a header checked against the allowed and required
/// columns, blank lines skipped, every row with the header's field count handed on with its line number, and every
/// problem reported by line (at most <see cref="MaxReportedIssues"/> kept, the rest counted). What a row means is the
/// caller's business; a file with any error must change nothing, which is the caller's rule too.
/// </summary>
internal sealed class CsvListFile(IReadOnlyList<string> columns, IReadOnlyList<string> required, string rowNoun, List<CsvIssue> errors, List<CsvIssue> warnings)
{
    /// <summary>Keeps memory bounded on a garbage file; the total is still reported.</summary>
    public const int MaxReportedIssues = 10_000;

    /// <summary>The raw tokenizer refuses anything longer; each column's own limit gives the precise message.</summary>
    private const int MaxRawField = 4096;

    private int _errorCount;

    public static TextReader Utf8(Stream stream)
    {
        // Strict UTF-8: a file saved as Windows-1252 or UTF-16 is refused instead of silently corrupting names.
        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        return new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
    }

    public void Error(int line, string message)
    {
        _errorCount++;
        if (errors.Count < MaxReportedIssues)
        {
            errors.Add(new CsvIssue(line, message));
        }
    }

    public void Warn(int line, string message)
    {
        if (warnings.Count < MaxReportedIssues)
        {
            warnings.Add(new CsvIssue(line, message));
        }
    }

    /// <summary>Reads the file, calling <paramref name="row"/> for each data row (fields, header map, line); returns the rows seen.</summary>
    public int Read(TextReader text, Action<List<string>, Dictionary<string, int>, int> row)
    {
        var records = new CsvRecordReader(text, MaxRawField);
        var fields = new List<string>(16);
        var line = 1;
        var rows = 0;
        try
        {
            if (!records.TryRead(fields, out line, out var headerError))
            {
                Error(1, "the file is empty: a header row is required (" + string.Join(',', columns) + ")");
                return Finish(rows);
            }

            if (headerError is not null)
            {
                Error(line, headerError);
                return Finish(rows);
            }

            // NULs are valid UTF-8 but never appear in a CSV: a UTF-16 export without a BOM looks exactly like this.
            if (fields.Any(f => f.Contains('\0', StringComparison.Ordinal)))
            {
                Error(line, "the file contains NUL characters: it looks like UTF-16 or a binary file (save it as UTF-8 CSV)");
                return Finish(rows);
            }

            var map = CsvHeader.Read(fields, line, columns, required, Error);
            if (map is null)
            {
                return Finish(rows);
            }

            while (records.TryRead(fields, out line, out var recordError))
            {
                if (fields.Count == 1 && fields[0].Length == 0 && recordError is null)
                {
                    continue; // blank line
                }

                rows++;
                if (recordError is not null)
                {
                    Error(line, recordError);
                    continue;
                }

                if (fields.Count != map.Count)
                {
                    Error(line, $"has {fields.Count} fields, the header has {map.Count}");
                    continue;
                }

                row(fields, map, line);
            }

            if (rows == 0)
            {
                Error(1, $"the file has a header but no {rowNoun} rows; an empty list is never loaded by accident");
            }
        }
        catch (DecoderFallbackException)
        {
            Error(line, "the file is not valid UTF-8 (save it as UTF-8 and load it again)");
        }

        return Finish(rows);
    }

    private int Finish(int rows)
    {
        if (_errorCount > errors.Count)
        {
            errors.Add(new CsvIssue(0, $"… and {_errorCount - errors.Count} more errors"));
        }

        return rows;
    }
}
