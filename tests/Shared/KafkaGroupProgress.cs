using Confluent.Kafka;

namespace AnprWatch.Testing;

/// <summary>
/// Whether a consumer group has committed every message of a topic, read from outside the worker the way an
/// operator's lag monitor would: the group's committed offsets (OffsetFetch, without joining the group) against each
/// partition's end. Tests and the end-to-end benchmark use it to know serve has finished a topic, so the production
/// source carries no "exit when caught up" mode. Serve commits only what is durable (hits stored, alerts and dead
/// letters acknowledged), so a caught-up group has nothing left to do.
/// </summary>
public sealed class KafkaGroupProgress : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly IAdminClient _admin;
    private readonly string _topic;

    /// <param name="properties">librdkafka properties for the broker (e.g. the 0.9 compatibility ones).</param>
    public KafkaGroupProgress(string bootstrap, string groupId, string topic, IEnumerable<KeyValuePair<string, string>>? properties = null)
    {
        _topic = topic;
        AnprWatch.Kafka.BundledLibrdkafka.Pin(); // before any client: never an older librdkafka the OS may have
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = groupId, EnableAutoCommit = false };
        var adminConfig = new AdminClientConfig { BootstrapServers = bootstrap };
        foreach (var (key, value) in properties ?? [])
        {
            config.Set(key, value);
            adminConfig.Set(key, value);
        }

        _consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        _admin = new AdminClientBuilder(adminConfig).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Messages of the topic the group has not committed yet (its lag), summed over the partitions.</summary>
    public long Remaining()
    {
        var partitions = _admin.GetMetadata(_topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(_topic, p.PartitionId)).ToList();
        var committed = _consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset);
        long remaining = 0;
        foreach (var partition in partitions)
        {
            var marks = _consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            var done = committed.TryGetValue(partition.Partition.Value, out var offset) && !offset.IsSpecial ? offset.Value : marks.Low.Value;
            remaining += Math.Max(0, marks.High.Value - done);
        }

        return remaining;
    }

    /// <summary>Waits until the group has committed the whole topic; false if <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitCaughtUpAsync(TimeSpan timeout, Func<bool>? givingUp = null, int pollMilliseconds = 100)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !(givingUp?.Invoke() ?? false))
        {
            try
            {
                if (Remaining() == 0)
                {
                    return true;
                }
            }
            catch (KafkaException)
            {
                // The broker is starting or the group is rebalancing: ask again.
            }

            await Task.Delay(pollMilliseconds).ConfigureAwait(false);
        }

        return false;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
        _admin.Dispose();
    }
}
