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

    private readonly int _brokers;

    private MockKafkaCluster(IProducer<Null, Null> host, string bootstrap, int brokers)
    {
        _host = host;
        _brokers = brokers;
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
            return new MockKafkaCluster(host, bootstrap, brokers);
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

    /// <summary>
    /// Delays every response of every mock broker by <paramref name="roundTrip"/> (zero ends it), through librdkafka's
    /// own mock API (<c>rd_kafka_mock_broker_set_rtt</c>, not wrapped by Confluent.Kafka). The broker still handles each
    /// request at once: a produce request is appended, but a client whose request times out first retries it. That is
    /// the broker outage that duplicates messages unless the producer is idempotent.
    /// </summary>
    public void SetRoundTripTime(TimeSpan roundTrip)
    {
        var cluster = MockApi.Cluster(_host.Handle);
        for (var broker = 1; broker <= _brokers; broker++)
        {
            var error = MockApi.SetRtt(cluster, broker, (int)roundTrip.TotalMilliseconds);
            Assert.That(error, Is.Zero, $"rd_kafka_mock_broker_set_rtt({broker}) returned {error}");
        }
    }

    public void Dispose() => _host.Dispose();

    /// <summary>The two mock-cluster functions of the bundled librdkafka the tests need, bound by name.</summary>
    private static class MockApi
    {
        [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
        private delegate IntPtr HandleMockCluster(IntPtr client);

        [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
        private delegate int BrokerSetRtt(IntPtr cluster, int brokerId, int rttMs);

        private static readonly Lazy<(HandleMockCluster Cluster, BrokerSetRtt SetRtt)> Functions = new(() =>
        {
            var library = System.Runtime.InteropServices.NativeLibrary.Load(BundledLibrdkafka.LoadedPath ?? "librdkafka");
            return (
                System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<HandleMockCluster>(System.Runtime.InteropServices.NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster")),
                System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<BrokerSetRtt>(System.Runtime.InteropServices.NativeLibrary.GetExport(library, "rd_kafka_mock_broker_set_rtt")));
        });

        public static IntPtr Cluster(Handle handle)
        {
            // Confluent.Kafka keeps the native rd_kafka_t in an internal SafeHandle: read it by reflection.
            var member = typeof(Handle).GetProperty("LibrdkafkaHandle", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetValue(handle)
                ?? typeof(Handle).GetField("LibrdkafkaHandle", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetValue(handle);
            var client = ((System.Runtime.InteropServices.SafeHandle)member!).DangerousGetHandle();
            var cluster = Functions.Value.Cluster(client);
            Assert.That(cluster, Is.Not.EqualTo(IntPtr.Zero), "the hosting client has no mock cluster");
            return cluster;
        }

        public static int SetRtt(IntPtr cluster, int brokerId, int rttMs) => Functions.Value.SetRtt(cluster, brokerId, rttMs);
    }
}
