using Microsoft.Extensions.Configuration;

namespace AnprWatch.Hosting;

/// <summary>appsettings.json, then ANPRWATCH_ environment variables, then command-line overrides (DESIGN §4.8).</summary>
public static class AppConfiguration
{
    public static readonly string[] Sections = ["Storage", "Source", "Kafka", "Alerting", "Matching", "Retention", "Http", "Logging", "Telemetry", "Markers", "Security", "Notify"];

    public static IConfigurationRoot Build(IEnumerable<string> overrides)
    {
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables("ANPRWATCH_")
            .AddCommandLine(overrides.ToArray())
            .Build();
    }

    /// <summary>
    /// Splits configuration overrides (<c>--Storage:ConnectionString=...</c> or <c>--Storage:ConnectionString ...</c>)
    /// from the command's own arguments, so a typo in a real option is still an error.
    /// </summary>
    public static (string[] CommandArgs, string[] Overrides) Split(string[] args)
    {
        var command = new List<string>();
        var overrides = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..].Split('=')[0] : "";
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && Sections.Contains(name[..colon], StringComparer.OrdinalIgnoreCase))
            {
                overrides.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    overrides.Add(args[++i]);
                }
            }
            else
            {
                command.Add(arg);
            }
        }

        return (command.ToArray(), overrides.ToArray());
    }
}
