using System.Text.Json;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Sinks;

/// <summary>Alerts as JSON lines (DESIGN §4.3 messages), one line per routed copy, flushed before the batch completes.</summary>
public sealed class JsonLinesAlertSink(string path, OutputMode mode = OutputMode.Replace) : IAlertSink, IAsyncDisposable
{
    private readonly JsonLinesFile _file = new(path, mode);

    public string Path => path;

    public long Written => _file.Lines;

    public Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
        => _file.AppendAsync(
            alertedHits.SelectMany(AlertMessage.Copies).Select(copy => JsonSerializer.SerializeToUtf8Bytes(copy.Message, ContractJson.Options)),
            cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
