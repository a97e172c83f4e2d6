using AnprWatch.Core.Pipeline;

namespace AnprWatch.Sources;

/// <summary>
/// Reads a <c>.jsonl</c> file in batches of raw lines (the file source of DESIGN §1). Lines are handed on as
/// bytes, never strings, so the pipeline's decoder sees exactly what a Kafka message would carry.
/// Blank lines are skipped; a line beyond <see cref="MaxLineBytes"/> is cut there and dead-lettered as oversized.
/// </summary>
public sealed class JsonLinesReadSource : IReadSource, IAsyncDisposable
{
    public const int MaxLineBytes = 1024 * 1024;

    private readonly Stream _stream;
    private readonly int _batchSize;
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private int _start;
    private int _end;
    private long _line;
    private bool _eof;

    public JsonLinesReadSource(string path, int batchSize = 2048)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), batchSize)
    {
    }

    /// <summary>Reads an already opened stream (the inbox opens only regular files); the source owns it.</summary>
    public JsonLinesReadSource(Stream stream, int batchSize = 2048)
    {
        _stream = stream;
        _batchSize = batchSize;
    }

    public long Length => _stream.Length;

    public long Position => _stream.Position - (_end - _start);

    public async ValueTask<ReadBatch?> NextBatchAsync(CancellationToken cancellationToken)
    {
        var records = new List<SourceRecord>(_batchSize);
        while (records.Count < _batchSize && await NextLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!IsBlank(line.Bytes.Span))
            {
                records.Add(new SourceRecord(line.Bytes, SourcePosition.Line(line.Number)));
            }
        }

        return records.Count == 0 ? null : new ReadBatch(records);
    }

    public ValueTask CompleteAsync(ReadBatch batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async ValueTask<(ReadOnlyMemory<byte> Bytes, long Number)?> NextLineAsync(CancellationToken cancellationToken)
    {
        var oversized = false;
        byte[]? carry = null;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Take(newline, carry, ref oversized);
                _start += newline + 1;
                return (line, ++_line);
            }

            if (_eof)
            {
                if (_end == _start && carry is null)
                {
                    return null;
                }

                var line = Take(_end - _start, carry, ref oversized);
                _start = _end;
                return (line, ++_line);
            }

            // The buffer holds a partial line: keep it (up to the limit) and read more.
            if (_end - _start == _buffer.Length || _start == 0 && _end == _buffer.Length)
            {
                carry = Append(carry, _buffer.AsSpan(_start, _end - _start), ref oversized);
                _start = _end = 0;
            }
            else if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    private ReadOnlyMemory<byte> Take(int length, byte[]? carry, ref bool oversized)
    {
        var tail = _buffer.AsSpan(_start, length);
        var bytes = carry is null ? tail.ToArray() : Append(carry, tail, ref oversized);
        var trimmed = bytes.Length > 0 && bytes[^1] == '\r' ? bytes.AsMemory(0, bytes.Length - 1) : bytes;
        return trimmed;
    }

    private static byte[] Append(byte[]? carry, ReadOnlySpan<byte> more, ref bool oversized)
    {
        var existing = carry?.Length ?? 0;
        var room = Math.Max(0, MaxLineBytes + 1 - existing);
        if (more.Length > room)
        {
            oversized = true;
            more = more[..room];
        }

        var result = new byte[existing + more.Length];
        carry?.CopyTo(result, 0);
        more.CopyTo(result.AsSpan(existing));
        return result;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;
}
