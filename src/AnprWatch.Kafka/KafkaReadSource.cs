using AnprWatch.Core.Pipeline;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Kafka;

/// <summary>
/// Consumer-group read source (DESIGN §6): a batch's offsets are stored only when the pipeline says its hits are
/// durable and its alerts acknowledged; the client commits stored offsets on a timer, on revoke, and on Close.
/// </summary>
public sealed class KafkaReadSource : IReadSource, IDisposable
{
    private readonly IConsumer<bool, ReadOnlyMemory<byte>> _consumer;
    private readonly ArenaDeserializer _values = new();
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<TopicPartition> _assigned = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<(List<SourceRecord> Records, MessageArena Arena)> _buffers = [];
    private bool _closed;

    public KafkaReadSource(KafkaOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _consumer = new ConsumerBuilder<bool, ReadOnlyMemory<byte>>(KafkaClientConfig.Consumer(options))
            .SetKeyDeserializer(new ForceKeyCheck())
            .SetValueDeserializer(_values)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                lock (_assigned)
                {
                    _assigned.UnionWith(partitions);
                    HasJoined = true;
                }

                _logger.LogInformation("assigned {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                // Hand over cleanly: whatever this instance made durable is committed before another instance takes over.
                try
                {
                    consumer.Commit();
                }
                catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
                {
                }
                catch (KafkaException ex)
                {
                    _logger.LogWarning("commit on revoke failed: {Reason}", ex.Error.Reason);
                }

                lock (_assigned)
                {
                    _assigned.ExceptWith(partitions.Select(p => p.TopicPartition));
                }

                _logger.LogInformation("revoked {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
            })
            .SetErrorHandler((_, error) => _logger.LogWarning("kafka: {Reason}", error.Reason))
            .SetLogHandler((_, message) => _logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message))
            .Build();
        _consumer.Subscribe(options.ReadsTopic);
    }

    /// <summary>True once the group has assigned this instance its partitions (possibly none).</summary>
    public bool HasJoined { get; private set; }

    public int AssignedCount
    {
        get
        {
            lock (_assigned)
            {
                return _assigned.Count;
            }
        }
    }

    /// <summary>Messages between this instance's position and the end of its partitions (from the client's cached watermarks).</summary>
    public long? Lag()
    {
        TopicPartition[] partitions;
        lock (_assigned)
        {
            partitions = [.. _assigned];
        }

        long lag = 0;
        foreach (var partition in partitions)
        {
            var high = _consumer.GetWatermarkOffsets(partition).High;
            var position = _consumer.Position(partition);
            if (high.IsSpecial || position.IsSpecial)
            {
                continue;
            }

            lag += Math.Max(0, high.Value - position.Value);
        }

        return partitions.Length == 0 ? null : lag;
    }

    public ValueTask<ReadBatch?> NextBatchAsync(CancellationToken cancellationToken)
    {
        // Batch buffers are recycled: a batch-sized record list is on the large-object heap, and allocating one per batch
        // forced a full (gen 2) collection every few batches (measured: a third of serve's CPU time).
        if (!_buffers.TryTake(out var buffer))
        {
            buffer = (new List<SourceRecord>(_options.BatchSize), new MessageArena());
        }

        var (records, arena) = buffer;
        records.Clear();
        arena.Reset();
        _values.Current = arena;
        var last = new Dictionary<int, long>();
        var deadline = DateTime.UtcNow + _options.BatchMaxWait;
        var nonCanonicalKeys = 0;
        try
        {
            while (records.Count < _options.BatchSize)
            {
                var wait = records.Count == 0 ? TimeSpan.FromMilliseconds(200) : deadline - DateTime.UtcNow;
                if (wait < TimeSpan.Zero)
                {
                    break;
                }

                var result = _consumer.Consume(wait);
                if (result is null)
                {
                    if (records.Count == 0)
                    {
                        break; // idle: hand back an empty batch so the caller can check for shutdown
                    }

                    continue;
                }

                // A null value (tombstone) is still a message: it is dead-lettered, never skipped silently.
                records.Add(new SourceRecord(result.Message.Value, new SourcePosition(result.Partition.Value, result.Offset.Value)));
                nonCanonicalKeys += result.Message.Key ? 0 : 1;
                last[result.Partition.Value] = result.Offset.Value;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (ConsumeException ex)
        {
            _logger.LogWarning("consume failed: {Reason}", ex.Error.Reason);
        }

        if (nonCanonicalKeys > 0)
        {
            PipelineTelemetry.NonCanonicalKeys.Add(nonCanonicalKeys);
        }

        var positions = last.Select(p => new TopicPartitionOffset(_options.ReadsTopic, p.Key, p.Value)).ToList();
        return ValueTask.FromResult<ReadBatch?>(new ReadBatch(records, new BatchState(positions, records, arena)));
    }

    public ValueTask CompleteAsync(ReadBatch batch, CancellationToken cancellationToken)
    {
        var state = (BatchState)batch.State!;
        foreach (var position in state.Positions)
        {
            try
            {
                // Store the next offset to read; the commit timer, revoke and Close make it durable at the broker.
                _consumer.StoreOffset(new TopicPartitionOffset(position.TopicPartition, position.Offset + 1));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // The partition was revoked mid-batch: its new owner re-reads these messages, and the store's
                // idempotency on (readId, markerId) makes that harmless.
            }
        }

        // The pipeline is done with the batch: its buffer (and the message bytes it referenced) can be reused.
        state.Buffer.Clear();
        _buffers.Add((state.Buffer, state.Arena));
        return ValueTask.CompletedTask;
    }

    private sealed record BatchState(List<TopicPartitionOffset> Positions, List<SourceRecord> Buffer, MessageArena Arena);

    /// <summary>Commits what is stored and leaves the group.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            _consumer.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
        }
        catch (KafkaException ex)
        {
            // A rebalance under way (another instance joining or leaving) refuses the commit with an illegal generation.
            // Shutdown goes on: Close commits the stored offsets again on revoke, and whatever stays uncommitted is
            // re-read by the next owner, harmlessly (hits are idempotent on readId and markerId).
            _logger.LogWarning("commit on close failed: {Reason}", ex.Error.Reason);
        }

        _consumer.Close();
    }

    public void Dispose()
    {
        try
        {
            Close();
        }
        catch (KafkaException ex)
        {
            _logger.LogWarning("close failed: {Reason}", ex.Error.Reason);
        }

        _consumer.Dispose();
    }
}
