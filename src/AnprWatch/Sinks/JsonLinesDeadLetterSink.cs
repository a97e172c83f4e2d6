using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Sinks;

/// <summary>
/// Dead letters for a file source: <c>X.dlq.jsonl</c> beside <c>X.jsonl</c>, one
/// <c>{"line": N, "reason": "...", "raw": "..."}</c> per rejected line. Raw bytes that are not UTF-8 are also kept
/// exactly as <c>rawBase64</c>, so nothing is lost.
/// </summary>
public sealed class JsonLinesDeadLetterSink(string path) : IDeadLetterSink, IAsyncDisposable
{
    private FileStream? _file;

    public string Path => path;

    public long Written { get; private set; }

    public static string PathFor(string readsPath)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(readsPath))!;
        var name = System.IO.Path.GetFileName(readsPath);
        var stem = name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? name[..^6] : name;
        return System.IO.Path.Combine(directory, stem + ".dlq.jsonl");
    }

    public async Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        _file ??= new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        using var buffer = new MemoryStream();
        foreach (var letter in deadLetters)
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                if (letter.Position.IsLine)
                {
                    writer.WriteNumber("line", letter.Position.Offset);
                }
                else
                {
                    writer.WriteNumber("partition", letter.Position.Partition);
                    writer.WriteNumber("offset", letter.Position.Offset);
                }

                writer.WriteString("reason", letter.Reason);
                var raw = letter.Raw.Span;
                writer.WriteString("raw", Encoding.UTF8.GetString(raw));
                if (!Utf8.IsValid(raw))
                {
                    writer.WriteBase64String("rawBase64", raw);
                }

                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            Written++;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(_file, cancellationToken).ConfigureAwait(false);
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // No dead letters this run: leave an empty file rather than an earlier run's.
            await File.WriteAllBytesAsync(path, []).ConfigureAwait(false);
        }
    }
}
