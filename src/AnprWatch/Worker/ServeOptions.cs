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

    /// <summary><c>Http:MaxBodyBytes</c>: the largest request body any endpoint but the marker upload accepts.</summary>
    public long MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary><c>Security:FailedAuthLimit</c> failures within <c>Security:FailedAuthWindow</c> lock a client out for the rest of the window.</summary>
    public int FailedAuthLimit { get; init; } = 10;

    public TimeSpan FailedAuthWindow { get; init; } = TimeSpan.FromMinutes(5);

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

        var maxBody = Positive(configuration, "Http:MaxBodyBytes", 64 * 1024);
        var failedLimit = Positive(configuration, "Security:FailedAuthLimit", 10);
        var failedWindow = configuration["Security:FailedAuthWindow"] is { } windowText
            ? (TimeSpan.TryParse(windowText, CultureInfo.InvariantCulture, out var w) && w > TimeSpan.Zero ? w : throw new InvalidInputException($"configuration Security:FailedAuthWindow: '{windowText}' is not a positive duration"))
            : TimeSpan.FromMinutes(5);

        return new ServeOptions
        {
            MaxBodyBytes = maxBody,
            FailedAuthLimit = (int)Math.Min(failedLimit, int.MaxValue),
            FailedAuthWindow = failedWindow,
            SourceKind = kind,
            InboxPath = configuration["Source:Path"] ?? "data/inbox",
            ReloadInterval = reload,
            HttpUrls = configuration["Http:Urls"] ?? "http://127.0.0.1:5080",
            Kafka = kafka,
        };
    }

    private static long Positive(IConfiguration configuration, string key, long fallback)
        => configuration[key] is { } text
            ? (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw new InvalidInputException($"configuration {key}: '{text}' is not a positive whole number"))
            : fallback;
}
