namespace AnprWatch.Kafka;

/// <summary>The <c>Kafka:*</c> configuration section (DESIGN §4.8, §6).</summary>
public sealed class KafkaOptions
{
    public string BootstrapServers { get; set; } = "localhost:9092";
    public string ReadsTopic { get; set; } = "anpr.reads";
    public string AlertsTopic { get; set; } = "anpr.alerts";
    public string DeadLetterTopic { get; set; } = "anpr.reads.dlq";
    public string GroupId { get; set; } = "anprwatch";

    /// <summary>Passed to librdkafka as-is (TLS, SASL, broker compatibility, assignment strategy, …).</summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Consumer-only properties, applied after <see cref="Properties"/> (e.g. partition.assignment.strategy).</summary>
    public Dictionary<string, string> ConsumerProperties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Producer-only properties, applied after <see cref="Properties"/> (e.g. enable.idempotence=true on Kafka 3.x).</summary>
    public Dictionary<string, string> ProducerProperties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Most reads in one batch (one store transaction, one alert flush, one offset store). Only a backlog fills a
    /// batch; a live feed is cut by <see cref="BatchMaxWait"/>. Measured: 20,000 catches up faster than 5,000, whose
    /// per-batch store and broker round trips showed in the end-to-end benchmark.
    /// </summary>
    public int BatchSize { get; set; } = 20_000;

    /// <summary>How long a batch waits to fill before it is processed anyway: the latency bound on a quiet topic.</summary>
    public TimeSpan BatchMaxWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often stored offsets are committed.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Alert messages carry headers (<c>alertId</c>, <c>schemaVersion</c>, <c>priority</c>) so a consumer can route or
    /// de-duplicate without parsing the body. Kafka headers need brokers ≥ 0.11: unset, they are sent unless the
    /// client is told the broker is older (<c>api.version.request=false</c> with a <c>broker.version.fallback</c>
    /// below 0.11, as for the 0.9 test broker); true or false decides outright.
    /// </summary>
    public bool? AlertHeaders { get; set; }

    /// <summary>Whether alert messages get headers, after <see cref="AlertHeaders"/>'s rule.</summary>
    public bool SendsAlertHeaders
    {
        get
        {
            if (AlertHeaders is { } explicitly)
            {
                return explicitly;
            }

            var probes = !Properties.TryGetValue("api.version.request", out var request) || !string.Equals(request.Trim(), "false", StringComparison.OrdinalIgnoreCase);
            if (probes || !Properties.TryGetValue("broker.version.fallback", out var fallback))
            {
                return true;
            }

            var parts = fallback.Trim().Split('.');
            return parts.Length >= 2 && int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var major)
                && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var minor)
                && (major > 0 || minor >= 11);
        }
    }
}
