using AnprWatch.Cli;
using AnprWatch.Kafka;
using Microsoft.Extensions.Configuration;
using static AnprWatch.Hosting.ConfigurationValues;

namespace AnprWatch.Worker;

/// <summary>The <c>Source:*</c>, <c>Kafka:*</c> and <c>Http:*</c> settings of <c>serve</c>, validated at start.</summary>
public sealed class ServeOptions
{
    public required string SourceKind { get; init; }
    public required string InboxPath { get; init; }
    public required TimeSpan ReloadInterval { get; init; }

    /// <summary>Source:StalledAfter: a batch retried this long makes /readyz 503 (the worker is alive but stores nothing).</summary>
    public TimeSpan StalledAfter { get; init; } = TimeSpan.FromSeconds(30);
    public required string HttpUrls { get; init; }
    public required KafkaOptions Kafka { get; init; }

    /// <summary><c>Source:KeepProcessedFor</c>: how long a processed input file (misses included) is kept; zero deletes it at once.</summary>
    public TimeSpan KeepProcessedFor { get; init; }

    /// <summary><c>Source:BatchSize</c>: lines per batch from a folder file (one store transaction each).</summary>
    public int FolderBatchSize { get; init; } = 2048;

    /// <summary><c>Http:MaxBodyBytes</c>: the largest request body any endpoint but the marker upload accepts.</summary>
    public long MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary><c>Security:FailedAuthLimit</c> failures within <c>Security:FailedAuthWindow</c> lock a client out for the rest of the window.</summary>
    public int FailedAuthLimit { get; init; } = 10;

    public TimeSpan FailedAuthWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>Notify:*</c>: webhook and e-mail subscriptions, sent from the store's outbox.</summary>
    public Notifications.NotifyOptions Notify { get; init; } = Notifications.NotifyOptions.None;

    /// <summary><c>Board:*</c>: image hosts the board may show, and how often the instance looks for other instances' changes.</summary>
    public Board.BoardOptions Board { get; init; } = new([], AnprWatch.Board.BoardOptions.DefaultChangePoll);

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

        var urls = configuration["Http:Urls"] ?? "http://127.0.0.1:5080";
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's forms: http(s)://host:port, with * or + as host; anything else would only fail once the worker ran.
            var rest = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? url[7..] : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? url[8..] : null;
            var colon = rest?.LastIndexOf(':') ?? -1;
            if (rest is null || colon <= 0 || !int.TryParse(rest[(colon + 1)..].TrimEnd('/'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
            {
                throw Bad("Http:Urls", $"'{url}' is not http://host:port or https://host:port");
            }
        }

        var failedLimit = Int(configuration, "Security:FailedAuthLimit", 10);
        if (failedLimit < 1)
        {
            throw Bad("Security:FailedAuthLimit", $"'{failedLimit}' is not a positive whole number");
        }

        return new ServeOptions
        {
            MaxBodyBytes = PositiveLong(configuration, "Http:MaxBodyBytes", 64 * 1024),
            FailedAuthLimit = failedLimit,
            FailedAuthWindow = PositiveSpan(configuration, "Security:FailedAuthWindow", TimeSpan.FromMinutes(5)),
            SourceKind = kind,
            InboxPath = configuration["Source:Path"] ?? "data/inbox",
            KeepProcessedFor = NonNegativeSpan(configuration, "Source:KeepProcessedFor", TimeSpan.Zero),
            FolderBatchSize = (int)Math.Min(100_000, PositiveLong(configuration, "Source:BatchSize", 2048)),
            ReloadInterval = PositiveSpan(configuration, "Source:ReloadInterval", TimeSpan.FromSeconds(2)),
            StalledAfter = PositiveSpan(configuration, "Source:StalledAfter", TimeSpan.FromSeconds(30)),
            HttpUrls = urls,
            Kafka = kafka,
            Notify = Notifications.NotifyOptions.Load(configuration),
            Board = AnprWatch.Board.BoardOptions.Load(configuration),
        };
    }
}
