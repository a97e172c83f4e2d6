using System.Text;

namespace AnprWatch.Core.Markers;

/// <summary>
/// A streaming RFC 4180 record reader: quoted fields with commas, doubled quotes and newlines; CRLF or LF.
/// It never holds more than one record, so a million-row file streams.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, int maxFieldLength)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private int _pos;
    private int _len;
    private int _line = 1;
    private bool _bomChecked;

    /// <summary>Reads one record. Returns false at end of input. <paramref name="error"/> is set for a malformed record (the record is still consumed).</summary>
    public bool TryRead(List<string> fields, out int startLine, out string? error)
    {
        fields.Clear();
        error = null;
        startLine = _line;
        _field.Clear();
        if (!_bomChecked)
        {
            _bomChecked = true;
            if (Peek() == '\uFEFF')
            {
                _pos++;
            }
        }

        if (Peek() < 0)
        {
            return false;
        }

        var inQuotes = false;
        var wasQuoted = false;
        var tooLong = false;
        while (true)
        {
            var c = Read();
            if (c < 0)
            {
                if (inQuotes)
                {
                    error ??= $"a quoted field opened on line {startLine} is never closed";
                }

                EndField(fields, ref tooLong, ref error);
                return true;
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    if (Peek() == '"')
                    {
                        _pos++;
                        Append('"', ref tooLong);
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    Append((char)c, ref tooLong);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    EndField(fields, ref tooLong, ref error);
                    wasQuoted = false;
                    break;
                case '\r' when Peek() == '\n':
                    break;
                case '\n':
                    _line++;
                    EndField(fields, ref tooLong, ref error);
                    return true;
                case '"' when _field.Length == 0 && !wasQuoted:
                    inQuotes = true;
                    wasQuoted = true;
                    break;
                case '"':
                    error ??= "a quote character appears inside an unquoted field (quote the whole field and double the quote)";
                    Append('"', ref tooLong);
                    break;
                default:
                    if (wasQuoted)
                    {
                        error ??= "text follows a closing quote (quote the whole field)";
                    }

                    Append((char)c, ref tooLong);
                    break;
            }
        }
    }

    private void Append(char c, ref bool tooLong)
    {
        if (_field.Length < maxFieldLength)
        {
            _field.Append(c);
        }
        else
        {
            tooLong = true;
        }
    }

    private void EndField(List<string> fields, ref bool tooLong, ref string? error)
    {
        if (tooLong)
        {
            error ??= $"field {fields.Count + 1} is longer than {maxFieldLength} characters";
            tooLong = false;
        }

        fields.Add(_field.ToString());
        _field.Clear();
    }

    private int Peek()
    {
        if (_pos == _len && !Fill())
        {
            return -1;
        }

        return _buffer[_pos];
    }

    private int Read()
    {
        if (_pos == _len && !Fill())
        {
            return -1;
        }

        return _buffer[_pos++];
    }

    private bool Fill()
    {
        _len = reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        return _len > 0;
    }
}
