namespace AnprWatch.Sinks;

/// <summary>
/// An output file of JSON lines, created on first write and flushed after each batch. A run that writes nothing
/// still leaves an empty file, so no one reads an earlier run's output as this one's.
/// </summary>
public sealed class JsonLinesFile(string path) : IAsyncDisposable
{
    private FileStream? _file;

    public string Path => path;

    public long Lines { get; private set; }

    public async Task AppendAsync(IEnumerable<byte[]> lines, CancellationToken cancellationToken)
    {
        _file ??= new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        foreach (var line in lines)
        {
            await _file.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            _file.WriteByte((byte)'\n');
            Lines++;
        }

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
            await File.WriteAllBytesAsync(path, []).ConfigureAwait(false);
        }
    }
}
