using AnprWatch.Kafka;
using Confluent.Kafka;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// librdkafka's own mock cluster, a current-protocol Kafka (idempotent produce, consumer groups, incremental
/// rebalancing) that the Apache Kafka 0.9 test broker cannot be. It lives inside a client of this test process,
/// started through librdkafka's <c>test.mock.num.brokers</c> on the pinned bundled library, and listens on loopback,
/// so serve (a child process) and kcat reach it like any broker. Nothing survives its disposal. librdkafka trims old
/// messages of a busy mock partition: keep its scenarios small.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    private MockKafkaCluster(IProducer<Null, Null> host, string bootstrap)
    {
        _host = host;
        Bootstrap = bootstrap;
    }

    public string Bootstrap { get; }

    public static MockKafkaCluster Start(int brokers = 3)
    {
        BundledLibrdkafka.Pin();
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var host = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            // The mock brokers' loopback addresses are in the hosting client's metadata: that is the bootstrap list.
            using var admin = new DependentAdminClientBuilder(host.Handle).Build();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            var bootstrap = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
            Assert.That(metadata.Brokers, Has.Count.EqualTo(brokers), "mock cluster did not start");
            return new MockKafkaCluster(host, bootstrap);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Produces "key\tvalue" lines with kcat (a second client), idempotently, with no compatibility settings.</summary>
    public Task ProduceAsync(string topic, string keyedFile)
        => Shell.RunAsync("kcat", "-P", "-b", Bootstrap, "-X", "enable.idempotence=true", "-t", topic, "-K", "\t", "-l", keyedFile);

    /// <summary>Everything on a topic, as "key\tvalue" lines, read with kcat.</summary>
    public async Task<List<(string Key, string Value)>> ConsumeAllAsync(string topic)
    {
        var output = await Shell.RunAsync("kcat", "-C", "-b", Bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();
    }

    /// <summary>Every message of a topic with its headers as kcat prints them (<c>name=value,name=value</c>; empty when none).</summary>
    public async Task<List<(string Key, string Headers, string Value)>> ConsumeWithHeadersAsync(string topic)
    {
        var output = await Shell.RunAsync("kcat", "-C", "-b", Bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%h\t%s\n");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 3)).Select(p => (p[0], p[1], p.Length > 2 ? p[2] : "")).ToList();
    }

    public void Dispose() => _host.Dispose();
}
