using System.Diagnostics.Metrics;
using AnprWatch.Core.Pipeline;
using AnprWatch.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// Reads are keyed by their camera force code so that one force's reads stay in order on one partition (suppression
/// depends on it). A producer that keys "Wiltshire" or "wiltshire " spreads a force over partitions; nothing is wrong
/// with the read itself, so the source counts such messages (<c>anprwatch.reads.noncanonical_keys</c>) for an operator
/// to alert on. Consumed from librdkafka's mock cluster by the real <see cref="KafkaReadSource"/>.
/// </summary>
[NonParallelizable]
public class NonCanonicalKeyTests
{
    [Test]
    public async Task Messages_keyed_other_than_their_lower_case_force_code_are_counted_by_the_noncanonical_keys_metric()
    {
        using var cluster = MockKafkaCluster.Start(brokers: 1);
        var id = Guid.NewGuid().ToString("N")[..8];
        var topic = $"reads-{id}";
        const string Read = """{"readId":"r-KEY","vrm":"AB12CDE","cameraId":"CAM-1","forceCode":"wiltshire","observedAt":"2026-06-01T12:00:00Z"}""";
        string[] keys = ["wiltshire", "Wiltshire", "wiltshire ", "dorset", "WILTSHIRE", "avon-and-somerset", "no-such-force"];
        var file = Path.Combine(Path.GetTempPath(), $"keyed-{id}.tsv");
        await File.WriteAllLinesAsync(file, keys.Select((k, i) => $"{k}\t{Read.Replace("r-KEY", $"r-{i}", StringComparison.Ordinal)}"));
        try
        {
            await cluster.ProduceAsync(topic, file);
        }
        finally
        {
            File.Delete(file);
        }

        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineTelemetry.Meter.Name && instrument.Name == "anprwatch.reads.noncanonical_keys")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();

        using var source = new KafkaReadSource(new KafkaOptions { BootstrapServers = cluster.Bootstrap, ReadsTopic = topic, GroupId = $"group-{id}" }, NullLogger.Instance);
        var consumed = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (consumed < keys.Length && DateTime.UtcNow < deadline)
        {
            if (await source.NextBatchAsync(CancellationToken.None) is { } batch)
            {
                consumed += batch.Records.Count;
                await source.CompleteAsync(batch, CancellationToken.None);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(consumed, Is.EqualTo(7), "every message was consumed, whatever its key");
            // "Wiltshire", "wiltshire ", "WILTSHIRE" and "no-such-force"; the three lower-case force codes are canonical.
            Assert.That(Interlocked.Read(ref counted), Is.EqualTo(4));
        });
    }
}
