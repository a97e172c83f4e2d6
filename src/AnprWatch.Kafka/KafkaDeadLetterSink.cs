using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using AnprWatch.Core.Pipeline;
using Confluent.Kafka;

namespace AnprWatch.Kafka;

/// <summary>
/// Rejected reads go to <c>anpr.reads.dlq</c> as <c>{"partition","offset","reason","raw"}</c> (plus
/// <c>rawBase64</c> when the bytes are not UTF-8). No headers: the 0.9 test broker has none, and the body says it all.
/// </summary>
public sealed class KafkaDeadLetterSink(KafkaOptions options) : IDeadLetterSink, IDisposable
{
    private readonly IProducer<Null, byte[]> _producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfig.Producer(options)).Build();

    public async Task WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        var deliveries = deadLetters.Select(letter => _producer.ProduceAsync(options.DeadLetterTopic, new Message<Null, byte[]> { Value = Encode(letter) }, cancellationToken));
        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    private static byte[] Encode(DeadLetter letter)
    {
        var raw = letter.Raw.Span;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("partition", letter.Position.Partition);
            writer.WriteNumber("offset", letter.Position.Offset);
            writer.WriteString("reason", letter.Reason);
            writer.WriteString("raw", Encoding.UTF8.GetString(raw));
            if (!Utf8.IsValid(raw))
            {
                writer.WriteBase64String("rawBase64", raw);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
