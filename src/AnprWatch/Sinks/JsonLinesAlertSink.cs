using System.Text.Json;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Sinks;

/// <summary>Alerts as JSON lines (DESIGN §4.3 messages), one line per routed copy, flushed before the batch completes.</summary>
public sealed class JsonLinesAlertSink(string path) : IAlertSink, IAsyncDisposable
{
    private FileStream? _file;

    public string Path => path;

    public long Written { get; private set; }

    public async Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
    {
        _file ??= new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        foreach (var hit in alertedHits)
        {
            foreach (var (_, message) in AlertMessage.Copies(hit))
            {
                await JsonSerializer.SerializeAsync(_file, message, ContractJson.Options, cancellationToken).ConfigureAwait(false);
                _file.WriteByte((byte)'\n');
                Written++;
            }
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
            // A replay with no alerts still leaves an (empty) alerts file, so a user never reads yesterday's.
            await File.WriteAllBytesAsync(path, []).ConfigureAwait(false);
        }
    }
}
