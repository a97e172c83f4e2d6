using System.Threading.Channels;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Kafka;

/// <summary>
/// Consumes the next batch on its own thread while the pipeline processes the current one, so decoding, matching
/// and storing overlap with the client's fetch and copy work. At most <c>depth</c> batches wait; their offsets
/// are only stored when the pipeline completes them, in order, so a crash still loses nothing.
/// </summary>
public sealed class PrefetchingReadSource : IReadSource, IDisposable
{
    private readonly KafkaReadSource _inner;
    private readonly Channel<ReadBatch> _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private Exception? _failure;

    public PrefetchingReadSource(KafkaReadSource inner, int depth = 2)
    {
        _inner = inner;
        _ready = Channel.CreateBounded<ReadBatch>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _thread = new Thread(Fetch) { IsBackground = true, Name = "kafka-consume" };
        _thread.Start();
    }

    public KafkaReadSource Inner => _inner;

    private void Fetch()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = _inner.NextBatchAsync(_stop.Token).AsTask().GetAwaiter().GetResult()!;
                if (batch.Records.Count > 0)
                {
                    _ready.Writer.WriteAsync(batch, _stop.Token).AsTask().GetAwaiter().GetResult();
                }
                else
                {
                    _inner.CompleteAsync(batch, _stop.Token).AsTask().GetAwaiter().GetResult(); // hands the empty buffer back
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // Whatever ends fetching reaches the worker through the channel, so the process exits non-zero; an
            // exception escaping this thread would instead kill the process without a word.
            _failure = ex;
        }
        finally
        {
            _ready.Writer.TryComplete(_failure);
        }
    }

    /// <summary>The next prefetched batch; an empty batch when none arrived within a short wait, null when fetching ended.</summary>
    public async ValueTask<ReadBatch?> NextBatchAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromMilliseconds(200));
        try
        {
            if (await _ready.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false) && _ready.Reader.TryRead(out var batch))
            {
                return batch;
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReadBatch([]);
        }
    }

    public ValueTask CompleteAsync(ReadBatch batch, CancellationToken cancellationToken) => _inner.CompleteAsync(batch, cancellationToken);

    /// <summary>Stops fetching (batches still queued are dropped: their offsets were never stored), then commits and leaves.</summary>
    public void Close()
    {
        _stop.Cancel();
        _thread.Join();
        _inner.Close();
    }

    public void Dispose()
    {
        Close();
        _stop.Dispose();
        _inner.Dispose();
    }
}
