using AnprWatch.Core.Pipeline;

namespace AnprWatch.Sinks;

/// <summary>
/// Dead letters for a file source: <c>X.dlq.jsonl</c> beside <c>X.jsonl</c>, one
/// <c>{"line": N, "reason": "...", "raw": "..."}</c> per rejected line (see <see cref="DeadLetterJson"/>).
/// </summary>
public sealed class JsonLinesDeadLetterSink(string path, OutputMode mode = OutputMode.Replace) : IDeadLetterSink, IAsyncDisposable
{
    private readonly JsonLinesFile _file = new(path, mode);

    public string Path => path;

    public long Written => _file.Lines;

    public static string PathFor(string readsPath)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(readsPath))!;
        var name = System.IO.Path.GetFileName(readsPath);
        var stem = name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? name[..^6] : name;
        return System.IO.Path.Combine(directory, stem + ".dlq.jsonl");
    }

    public Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
        => _file.AppendAsync(deadLetters.Select(DeadLetterJson.Encode), cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
