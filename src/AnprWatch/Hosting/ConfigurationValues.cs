using System.Globalization;
using AnprWatch.Cli;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Hosting;

/// <summary>Reads one setting, or its default when absent; a bad value stops the command naming its key (DESIGN §4.8).</summary>
internal static class ConfigurationValues
{
    public static InvalidInputException Bad(string key, string message) => new($"configuration {key}: {message}");

    public static bool Bool(IConfiguration configuration, string key, bool fallback)
        => configuration[key] is not { } text ? fallback
            : bool.TryParse(text, out var value) ? value : throw Bad(key, $"'{text}' is not true or false");

    public static int Int(IConfiguration configuration, string key, int fallback)
        => configuration[key] is not { } text ? fallback
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(key, $"'{text}' is not a whole number");

    public static long PositiveLong(IConfiguration configuration, string key, long fallback)
        => configuration[key] is not { } text ? fallback
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw Bad(key, $"'{text}' is not a positive whole number");

    public static TimeSpan PositiveSpan(IConfiguration configuration, string key, TimeSpan fallback)
        => configuration[key] is not { } text ? fallback
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero ? value : throw Bad(key, $"'{text}' is not a positive duration (hh:mm:ss)");

    public static TimeSpan NonNegativeSpan(IConfiguration configuration, string key, TimeSpan fallback)
        => configuration[key] is not { } text ? fallback
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero ? value : throw Bad(key, $"'{text}' is not a duration (hh:mm:ss or d.hh:mm:ss)");

    public static DateTimeOffset Instant(IConfiguration configuration, string key, DateTimeOffset fallback)
        => configuration[key] is not { } text ? fallback
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : throw Bad(key, $"'{text}' is not a date (e.g. 2000-01-01T00:00:00Z)");

    public static double PositiveDouble(IConfiguration configuration, string key, double fallback)
        => configuration[key] is not { } text ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value) ? value : throw Bad(key, $"'{text}' is not a positive number");
}
