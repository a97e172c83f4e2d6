using AnprWatch.Kafka;
using AnprWatch.Worker;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Board;

/// <summary>
/// With a Kafka source, alerts stored by the other instances reach this instance's boards from the alert topic, as
/// soon as they are published, rather than at the next change-cursor tick (which still runs, for outcomes and as a
/// safety net; each alert is passed on once, by <c>hitId</c>). Each instance reads the topic in a consumer group of
/// its own (<c>{Kafka:GroupId}.boards.{host}.{pid}</c>) from the latest offset and never commits: boards only need
/// what arrives while they are open, and their window comes from the store when they connect.
/// </summary>
public sealed partial class AlertTopicListener(ServeOptions options, BoardFeed feed, ILogger<AlertTopicListener> logger) : BackgroundService
{
    private volatile bool _assigned;

    /// <summary>True once the consumer has its partitions (tests wait for it before producing).</summary>
    public bool Assigned => _assigned;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.SourceKind != "kafka")
        {
            return Task.CompletedTask;
        }

        // librdkafka's consumer blocks: a thread of its own, as the read source has.
        return Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Run(CancellationToken stoppingToken)
    {
        var config = KafkaClientConfig.Consumer(options.Kafka);
        config.GroupId = $"{options.Kafka.GroupId}.boards.{Environment.MachineName}.{Environment.ProcessId}";
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                _assigned = true;
                LogAssigned(partitions.Count, options.Kafka.AlertsTopic);
            })
            .Build();
        consumer.Subscribe(options.Kafka.AlertsTopic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.Consume(stoppingToken);
                    if (result?.Message?.Value is { } value)
                    {
                        feed.PublishAlertMessage(value);
                    }
                }
                catch (ConsumeException ex)
                {
                    // A broker hiccup or a message that is not an alert: the boards lose nothing the cursor will not bring.
                    LogConsumeFailed(ex.Error.Reason);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    LogConsumeFailed("an alert that is not JSON: " + ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "boards follow {Partitions} partitions of {Topic}")]
    private partial void LogAssigned(int partitions, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "board alert-topic listener: {Reason}")]
    private partial void LogConsumeFailed(string reason);
}
