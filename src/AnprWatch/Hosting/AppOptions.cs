using AnprWatch.Cli;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Hits.Clones;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Reads;
using AnprWatch.Storage;
using Microsoft.Extensions.Configuration;
using static AnprWatch.Hosting.ConfigurationValues;

namespace AnprWatch.Hosting;

/// <summary>Every option the commands use, read and validated once; a bad value names its key (DESIGN §4.8).</summary>
public sealed class AppOptions
{
    public required StorageOptions Storage { get; init; }
    public required AlertingOptions Alerting { get; init; }
    public required MatchingOptions Matching { get; init; }
    public required OcrEquivalence Equivalence { get; init; }
    public int RetentionHitDays { get; init; } = 365;

    /// <summary>Storage:ExpectedStoreId: when set, serve refuses (exit 2) a store with another id instead of adopting it.</summary>
    public string? ExpectedStoreId { get; init; }

    /// <summary>
    /// <c>Storage:StateFile</c>: where serve remembers its store's id and newest hit between runs (null: beside a SQLite
    /// file, none for SQL Server; "none": nowhere).
    /// </summary>
    public string? StateFile { get; init; }

    /// <summary><c>Reads:EarliestObservedAt</c> and <c>Reads:MaxAheadOfClock</c>: reads timed outside are dead-lettered.</summary>
    public ReadWindow ReadWindow { get; init; } = ReadWindow.Default;

    /// <summary><c>Markers:MaxFileBytes</c>: the largest marker CSV accepted (a million rows is about 80 MB).</summary>
    public long MaxMarkerFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary><c>Markers:MaxRemovalShare</c>: the largest share of a force's active list one import may remove unconfirmed.</summary>
    public double MaxMarkerRemovalShare { get; init; } = 0.2;

    public static AppOptions Load(IConfiguration configuration)
    {
        var storage = new StorageOptions
        {
            Provider = configuration["Storage:Provider"] ?? "sqlite",
            ConnectionString = configuration["Storage:ConnectionString"] ?? StorageOptions.DefaultConnectionString,
            CreateIfMissing = Bool(configuration, "Storage:CreateIfMissing", false),
        };
        if (storage.Provider.Trim().ToLowerInvariant() is not ("sqlite" or "sqlserver"))
        {
            throw Bad("Storage:Provider", $"'{storage.Provider}' is not supported (use sqlite or sqlserver)");
        }

        var alerting = new AlertingOptions
        {
            RiskLevels = RiskList(configuration, "Alerting:RiskLevels") ?? [RiskLevel.High, RiskLevel.Medium],
            IncludeInForce = Bool(configuration, "Alerting:IncludeInForce", false),
            RepeatWindow = PositiveSpan(configuration, "Alerting:RepeatWindow", TimeSpan.FromMinutes(15)),
            MaxReadAge = PositiveSpan(configuration, "Alerting:MaxReadAge", TimeSpan.FromMinutes(30)),
        };

        var maxSubs = Int(configuration, "Matching:MaxOcrSubstitutions", 1);
        if (maxSubs is < 0 or > 2)
        {
            throw Bad("Matching:MaxOcrSubstitutions", "must be 0, 1 or 2");
        }

        var classes = List(configuration, "Matching:OcrClasses") ?? OcrEquivalence.DefaultClasses;
        OcrEquivalence equivalence;
        try
        {
            equivalence = OcrEquivalence.Create(classes);
        }
        catch (ArgumentException ex)
        {
            throw Bad("Matching:OcrClasses", ex.Message);
        }

        var sightings = Int(configuration, "Matching:CloneSightings", CloneOptions.Default.SightingsPerMarker);
        if (sightings is < 1 or > 256)
        {
            throw Bad("Matching:CloneSightings", "must be between 1 and 256");
        }

        var clones = new CloneOptions
        {
            SpeedKmh = PositiveDouble(configuration, "Matching:CloneSpeedKmh", CloneOptions.Default.SpeedKmh),
            MinDistanceKm = PositiveDouble(configuration, "Matching:CloneMinDistanceKm", CloneOptions.Default.MinDistanceKm),
            MinInterval = PositiveSpan(configuration, "Matching:CloneMinInterval", CloneOptions.Default.MinInterval),
            Window = PositiveSpan(configuration, "Matching:CloneWindow", CloneOptions.Default.Window),
            SightingsPerMarker = sightings,
        };

        var hitDays = Int(configuration, "Retention:HitDays", 365);
        if (hitDays < 1)
        {
            throw Bad("Retention:HitDays", "must be at least 1");
        }

        var maxFile = PositiveLong(configuration, "Markers:MaxFileBytes", 256L * 1024 * 1024);
        var removalShare = 0.2;
        if (configuration["Markers:MaxRemovalShare"] is { } shareText
            && (!double.TryParse(shareText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out removalShare) || !(removalShare >= 0 && removalShare <= 1)))
        {
            throw Bad("Markers:MaxRemovalShare", $"'{shareText}' is not a share between 0 and 1 (e.g. 0.2)");
        }

        var window = new ReadWindow(
            Instant(configuration, "Reads:EarliestObservedAt", ReadWindow.Default.Earliest),
            PositiveSpan(configuration, "Reads:MaxAheadOfClock", ReadWindow.Default.MaxAheadOfClock));

        return new AppOptions
        {
            ReadWindow = window,
            MaxMarkerFileBytes = maxFile,
            MaxMarkerRemovalShare = removalShare,
            Storage = storage,
            Alerting = alerting,
            Matching = new MatchingOptions { MaxOcrSubstitutions = maxSubs, OcrClasses = equivalence.Classes, Clones = clones },
            Equivalence = equivalence,
            RetentionHitDays = hitDays,
            ExpectedStoreId = string.IsNullOrWhiteSpace(configuration["Storage:ExpectedStoreId"]) ? null : configuration["Storage:ExpectedStoreId"]!.Trim(),
            StateFile = string.IsNullOrWhiteSpace(configuration["Storage:StateFile"]) ? null : configuration["Storage:StateFile"]!.Trim(),
        };
    }

    /// <summary>Accepts a comma-separated string or an array section.</summary>
    private static IReadOnlyList<string>? List(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        if (section.Value is { } text)
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var items = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return items.Count > 0 ? items : null;
    }

    private static IReadOnlyList<RiskLevel>? RiskList(IConfiguration configuration, string key)
    {
        var items = List(configuration, key);
        if (items is null)
        {
            return null;
        }

        var levels = new List<RiskLevel>();
        foreach (var item in items)
        {
            if (!RiskLevels.TryParse(item, out var level))
            {
                throw Bad(key, $"'{item}' is not a risk level (HIGH, MEDIUM, LOW)");
            }

            levels.Add(level);
        }

        return levels;
    }
}
