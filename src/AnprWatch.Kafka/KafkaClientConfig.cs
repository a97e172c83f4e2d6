using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>Builds librdkafka configurations: our defaults first, then <c>Kafka:Properties</c> on top, so operators win.</summary>
public static class KafkaClientConfig
{
    public static ConsumerConfig Consumer(KafkaOptions options)
    {
        var config = new ConsumerConfig(Apply(options, options.ConsumerProperties, new Dictionary<string, string>
        {
            ["bootstrap.servers"] = options.BootstrapServers,
            ["group.id"] = options.GroupId,
            ["auto.offset.reset"] = "earliest",

            // Offsets are stored by us after a batch is durable, and committed by the client on a timer, on revoke and on Close.
            ["enable.auto.offset.store"] = "false",
            ["enable.auto.commit"] = "true",
            ["auto.commit.interval.ms"] = ((int)options.CommitInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["session.timeout.ms"] = "10000",

            // A quiet partition should not hold a batch back for the broker's default half second.
            ["fetch.wait.max.ms"] = "10",
        }))
        {
            // The source subscribes to one topic, so a result's partition and offset are all it needs: not marshalling
            // the topic name, headers and timestamp saves a string and work on every message.
            ConsumeResultFields = "none",
        };
        return config;
    }

    public static ProducerConfig Producer(KafkaOptions options)
        => new(Apply(options, options.ProducerProperties, new Dictionary<string, string>
        {
            ["bootstrap.servers"] = options.BootstrapServers,
            ["acks"] = "all",
            ["linger.ms"] = "2",
            ["message.timeout.ms"] = "30000",
        }));

    private static Dictionary<string, string> Apply(KafkaOptions options, Dictionary<string, string> specific, Dictionary<string, string> defaults)
    {
        foreach (var (key, value) in options.Properties.Concat(specific))
        {
            defaults[key] = value;
        }

        return defaults;
    }
}
