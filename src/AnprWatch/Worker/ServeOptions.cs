using System.Globalization;
using AnprWatch.Cli;
using AnprWatch.Kafka;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Worker;

/// <summary>The <c>Source:*</c>, <c>Kafka:*</c> and <c>Http:*</c> settings of <c>serve</c>, validated at start.</summary>
public sealed class ServeOptions
{
    public required string SourceKind { get; init; }
    public required string InboxPath { get; init; }
    public required TimeSpan ReloadInterval { get; init; }
    public required string HttpUrls { get; init; }
    public required KafkaOptions Kafka { get; init; }

    private static void Copy(IConfigurationSection section, Dictionary<string, string> into)
    {
        foreach (var property in section.GetChildren())
        {
            into[property.Key] = property.Value ?? "";
        }
    }

    public static ServeOptions Load(IConfiguration configuration)
    {
        var kind = (configuration["Source:Kind"] ?? "folder").Trim().ToLowerInvariant();
        if (kind is not ("kafka" or "folder" or "none"))
        {
            throw new InvalidInputException($"configuration Source:Kind: '{kind}' is not kafka, folder or none");
        }

        var kafka = new KafkaOptions();
        configuration.GetSection("Kafka").Bind(kafka);
        // librdkafka keys contain dots, which configuration binding keeps as-is: copy each section verbatim.
        Copy(configuration.GetSection("Kafka:Properties"), kafka.Properties);
        Copy(configuration.GetSection("Kafka:ConsumerProperties"), kafka.ConsumerProperties);
        Copy(configuration.GetSection("Kafka:ProducerProperties"), kafka.ProducerProperties);

        if (kafka.BatchSize is < 1 or > 100_000)
        {
            throw new InvalidInputException("configuration Kafka:BatchSize: must be between 1 and 100000");
        }

        if (kind == "kafka" && string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            throw new InvalidInputException("configuration Kafka:BootstrapServers: required when Source:Kind is kafka");
        }

        var reload = configuration["Source:ReloadInterval"] is { } text
            ? (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : throw new InvalidInputException($"configuration Source:ReloadInterval: '{text}' is not a positive duration"))
            : TimeSpan.FromSeconds(2);

        return new ServeOptions
        {
            SourceKind = kind,
            InboxPath = configuration["Source:Path"] ?? "data/inbox",
            ReloadInterval = reload,
            HttpUrls = configuration["Http:Urls"] ?? "http://127.0.0.1:5080",
            Kafka = kafka,
        };
    }
}
