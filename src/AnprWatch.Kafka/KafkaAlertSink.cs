using System.Text.Json;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;
using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Publishes each alerted hit to <c>anpr.alerts</c> twice (DESIGN §4.3): keyed by the camera's force and by the
/// marker's host force, one <c>alertId</c>. Returns only when the broker has acknowledged every copy (acks=all).
/// </summary>
public sealed class KafkaAlertSink(KafkaOptions options) : IAlertSink, IDisposable
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(KafkaClientConfig.Producer(options)).Build();

    public async Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task<DeliveryResult<string, byte[]>>>();
        foreach (var hit in alertedHits)
        {
            foreach (var (force, message) in AlertMessage.Copies(hit))
            {
                var value = JsonSerializer.SerializeToUtf8Bytes(message, ContractJson.Options);
                deliveries.Add(_producer.ProduceAsync(options.AlertsTopic, new Message<string, byte[]> { Key = force.Code, Value = value }, cancellationToken));
            }
        }

        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
