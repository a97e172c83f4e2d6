using AnprWatch.Cli;
using AnprWatch.Kafka;

// Before anything can touch Confluent.Kafka: bind it to the bundled librdkafka, never an older one the OS may have.
BundledLibrdkafka.Pin();

return await CliApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System).ConfigureAwait(false);
