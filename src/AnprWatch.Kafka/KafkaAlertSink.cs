using System.Text;
using System.Text.Json;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Pipeline;
using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Publishes each alerted hit to <c>anpr.alerts</c> twice (DESIGN §4.3): keyed by the camera's force and by the
/// marker's host force, one <c>alertId</c>. Returns only when the broker has acknowledged every copy (acks=all).
/// Each copy carries the headers <c>alertId</c>, <c>schemaVersion</c> and <c>priority</c> when the broker takes
/// headers (<see cref="KafkaOptions.AlertHeaders"/>).
/// </summary>
public sealed class KafkaAlertSink(KafkaOptions options) : IAlertSink, IDisposable
{
    /// <summary>The version of the alert message's JSON (DESIGN §4.3), sent as the <c>schemaVersion</c> header.</summary>
    public const string SchemaVersion = "1";

    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(KafkaClientConfig.Producer(options)).Build();
    private readonly bool _headers = options.SendsAlertHeaders;

    public async Task PublishAsync(IReadOnlyList<Hit> alertedHits, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task<DeliveryResult<string, byte[]>>>();
        foreach (var hit in alertedHits)
        {
            foreach (var (force, message) in AlertMessage.Copies(hit))
            {
                var value = JsonSerializer.SerializeToUtf8Bytes(message, ContractJson.Options);
                var kafkaMessage = new Message<string, byte[]> { Key = force.Code, Value = value };
                if (_headers)
                {
                    kafkaMessage.Headers = new Headers
                    {
                        { "alertId", Encoding.UTF8.GetBytes(message.AlertId) },
                        { "schemaVersion", Encoding.UTF8.GetBytes(SchemaVersion) },
                        { "priority", Encoding.UTF8.GetBytes(message.Priority) },
                    };
                }

                deliveries.Add(_producer.ProduceAsync(options.AlertsTopic, kafkaMessage, cancellationToken));
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
