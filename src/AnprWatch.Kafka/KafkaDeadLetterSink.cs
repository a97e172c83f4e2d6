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
        var deliveries = deadLetters.Select(letter => _producer.ProduceAsync(options.DeadLetterTopic, new Message<Null, byte[]> { Value = DeadLetterJson.Encode(letter) }, cancellationToken));
        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
